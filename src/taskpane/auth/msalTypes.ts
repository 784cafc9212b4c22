/**
 * The slice of MSAL the auth service uses, so the service can be tested with a fake and MSAL itself stays in a
 * lazily loaded chunk (msalModule.ts adapts the real library).
 */
import type { ClientConfigDto } from "../../contract/api";

export interface MsalAccount {
  homeAccountId: string;
  username: string;
  name?: string | undefined;
}

export interface MsalTokenResult {
  accessToken: string;
  account: MsalAccount | null;
  expiresOn: Date | null;
}

export interface MsalTokenRequest {
  scopes: string[];
  account?: MsalAccount;
  forceRefresh?: boolean;
  loginHint?: string;
  prompt?: "login" | "select_account" | "consent" | "none";
  extraScopesToConsent?: string[];
}

export interface MsalApp {
  getAllAccounts(): MsalAccount[];
  getActiveAccount(): MsalAccount | null;
  setActiveAccount(account: MsalAccount | null): void;
  acquireTokenSilent(request: MsalTokenRequest): Promise<MsalTokenResult>;
  acquireTokenPopup(request: MsalTokenRequest): Promise<MsalTokenResult>;
  clearCache(account: MsalAccount | null): Promise<void>;
}

export interface MsalAppOptions {
  config: ClientConfigDto;
  redirectUri: string;
  /** "memory" keeps the service account's sign-in out of the browser's storage and apart from the user's session. */
  cache: "local" | "memory";
}

export interface MsalModule {
  createPublicClient(options: MsalAppOptions): Promise<MsalApp>;
  createNestableClient(options: MsalAppOptions): Promise<MsalApp>;
}

/** MSAL's error codes the service reacts to (BrowserAuthErrorCodes and InteractionRequiredAuthErrorCodes). */
export function msalErrorCode(error: unknown): string {
  if (typeof error === "object" && error !== null && "errorCode" in error) return String(error.errorCode);
  return "";
}

export function isInteractionRequired(error: unknown): boolean {
  const code = msalErrorCode(error);
  return (
    (typeof error === "object" && error !== null && (error as Error).name === "InteractionRequiredAuthError") ||
    [
      "interaction_required",
      "login_required",
      "consent_required",
      "no_tokens_found",
      "no_account_error",
      "refresh_token_expired",
      "invalid_grant",
      "bad_token",
      "native_account_unavailable",
    ].includes(code)
  );
}
