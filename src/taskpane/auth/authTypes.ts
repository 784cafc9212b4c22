/** The pane's sign-in, whatever path provides it (Nested App Authentication, MSAL popup, Office dialog). */

export interface AuthAccount {
  username: string;
  name: string;
}

export type AuthPath = "naa" | "popup" | "dialog";

export interface AuthDiagnostics {
  /** The path in use, null before the first sign-in attempt. */
  path: AuthPath | null;
  /** Paths passed over and why, e.g. "NestedAppAuth 1.1 is not supported by this Outlook". */
  skipped: Array<{ path: AuthPath; reason: string }>;
  /** Code of the last sign-in failure (MSAL's, e.g. popup_window_error, or Office's, e.g. 12006); absent if none. */
  lastFailure?: string;
}

/** A token of the service account signed in for the EWS OAuth access type (never the admin's own session). */
export interface ServiceAccountToken {
  accessToken: string;
  username: string;
  expiresOn: Date | null;
}

export interface AuthService {
  /** The signed-in account without any prompt (cached session, or the Outlook account under NAA); null if none. */
  restore(): Promise<AuthAccount | null>;
  /** Interactive sign-in of the pane's user. */
  signIn(): Promise<AuthAccount>;
  /** A token for the API, silently; concurrent callers share one request. Throws SignInError("interaction_required"). */
  getToken(options?: { forceRefresh?: boolean }): Promise<string>;
  signOut(): Promise<void>;
  /** Interactive sign-in of the org's service account (login hint = Account Logon), kept apart from the session. */
  signInServiceAccount(loginHint: string): Promise<ServiceAccountToken>;
  diagnostics(): AuthDiagnostics;
}

export type SignInErrorKind =
  "popup_blocked" | "cancelled" | "interaction_required" | "in_progress" | "not_configured" | "unavailable" | "failed";

const ACTIONS: Record<SignInErrorKind, string> = {
  popup_blocked:
    "Allow pop-up windows for this site (the icon at the end of the address bar), then select Sign in again.",
  cancelled: "Select Sign in again when you are ready.",
  interaction_required: "Select Sign in to continue.",
  in_progress: "Finish the sign-in window that is already open, or close it and try again.",
  not_configured: "Sign-in is not configured on the server; tell your administrator (AUTH_AUTHORITY, AUTH_CLIENT_ID).",
  unavailable: "The sign-in service cannot be reached. Check your connection and try again.",
  failed: "Try again; if it keeps failing, tell your administrator.",
};

/** A sign-in that did not complete, with what the user can do about it. No token or personal data inside. */
export class SignInError extends Error {
  readonly action: string;

  constructor(
    readonly kind: SignInErrorKind,
    message: string,
    /** The underlying code (MSAL's errorCode, Office's dialog code), for diagnostics; null when there is none. */
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "SignInError";
    this.action = ACTIONS[kind];
  }
}

export function isSignInError(error: unknown, kind?: SignInErrorKind): error is SignInError {
  return error instanceof SignInError && (kind === undefined || error.kind === kind);
}
