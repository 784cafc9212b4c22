/**
 * The one sign-in service of the pane. Path: Nested App Authentication inside Outlook when NestedAppAuth 1.1 is
 * supported; otherwise the MSAL popup (the browser preview signs in against the authority the backend publishes in
 * /api/client-config); inside Office, when the popup is blocked, the Office dialog. Silent first; one in-flight
 * token request shared by all callers; the service account signs in on a separate, memory-only client.
 */
import type { ClientConfigDto } from "../../contract/api";
import type { MailboxHost } from "../office/mailboxHost";
import {
  SignInError,
  type AuthAccount,
  type AuthDiagnostics,
  type AuthPath,
  type AuthService,
  type ServiceAccountToken,
  type SignInErrorKind,
} from "./authTypes";
import { dialogUrl, signInWithDialog, type DialogSignInResult } from "./dialogSignIn";
import { isInteractionRequired, msalErrorCode, type MsalAccount, type MsalApp, type MsalModule } from "./msalTypes";

export interface MsalAuthServiceOptions {
  host: MailboxHost;
  /** GET /api/client-config; the authority, client id and scopes are the server's to decide. */
  loadClientConfig: () => Promise<ClientConfigDto>;
  /** Defaults to the lazily imported real MSAL. */
  loadMsal?: () => Promise<MsalModule>;
  /** The pane's origin (redirect URI = origin + /auth.html). */
  origin?: string;
  /** Renew this long before expiry when a dialog-acquired token cannot be renewed silently. */
  now?: () => number;
}

interface Ready {
  config: ClientConfigDto;
  msal: MsalModule;
  path: Exclude<AuthPath, "dialog">;
  app: MsalApp;
}

const POPUP_BLOCKED = new Set(["popup_window_error", "empty_window_error", "block_nested_popups"]);

function toAccount(account: MsalAccount): AuthAccount {
  return { username: account.username, name: account.name || account.username };
}

/** Turns an MSAL failure into a SignInError the views can explain; never carries the token or the raw response. */
function explain(error: unknown): SignInError {
  if (error instanceof SignInError) return error;
  const code = msalErrorCode(error);
  const failure = (kind: SignInErrorKind, message: string) => new SignInError(kind, message, code || null);
  if (POPUP_BLOCKED.has(code)) return failure("popup_blocked", "The sign-in window was blocked by the browser.");
  if (code === "user_cancelled") return failure("cancelled", "Sign-in was cancelled.");
  if (code === "interaction_in_progress") return failure("in_progress", "Another sign-in is already open.");
  if (code === "no_network_connectivity" || code === "endpoints_resolution_error" || code === "openid_config_error") {
    return failure("unavailable", "The sign-in service could not be reached.");
  }
  if (code === "timed_out") return failure("cancelled", "The sign-in window timed out.");
  if (isInteractionRequired(error)) return failure("interaction_required", "You need to sign in.");
  // The code stays on the error for diagnostics; the words a user reads carry none.
  return failure("failed", "Sign-in failed.");
}

export class MsalAuthService implements AuthService {
  private readonly host: MailboxHost;
  private readonly loadClientConfig: () => Promise<ClientConfigDto>;
  private readonly loadMsal: () => Promise<MsalModule>;
  private readonly origin: string;
  private readonly now: () => number;
  private ready: Promise<Ready> | null = null;
  private serviceAccountApp: Promise<MsalApp> | null = null;
  private inflight: Promise<string> | null = null;
  private account: MsalAccount | null = null;
  /** Set when the Office dialog signed the user in; used until it expires (the dialog has no silent renewal). */
  private dialogSession: DialogSignInResult | null = null;
  private readonly diag: AuthDiagnostics = { path: null, skipped: [] };

  constructor(options: MsalAuthServiceOptions) {
    this.host = options.host;
    this.loadClientConfig = options.loadClientConfig;
    this.loadMsal = options.loadMsal ?? (async () => (await import("./msalModule")).msalModule);
    this.origin = options.origin ?? globalThis.location.origin;
    this.now = options.now ?? Date.now;
  }

  diagnostics(): AuthDiagnostics {
    const { lastFailure } = this.diag;
    return { path: this.diag.path, skipped: [...this.diag.skipped], ...(lastFailure ? { lastFailure } : {}) };
  }

  /** Keeps a failure's code for the reach report ("you need to sign in" is not a failure); returns it to throw. */
  private record(error: unknown): SignInError {
    const failure = explain(error);
    if (failure.kind !== "interaction_required") this.diag.lastFailure = failure.code ?? failure.kind;
    return failure;
  }

  private skip(path: AuthPath, reason: string): void {
    if (!this.diag.skipped.some((entry) => entry.path === path && entry.reason === reason)) {
      this.diag.skipped.push({ path, reason });
    }
  }

  private get redirectUri(): string {
    return `${this.origin}/auth.html`;
  }

  private start(): Promise<Ready> {
    this.ready ??= this.initialize().catch((error: unknown) => {
      this.ready = null; // a later attempt (backend back up) starts over
      throw error;
    });
    return this.ready;
  }

  private async initialize(): Promise<Ready> {
    let config: ClientConfigDto;
    try {
      config = await this.loadClientConfig();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 503) throw new SignInError("not_configured", "Sign-in is not configured on the server.");
      throw new SignInError("unavailable", "The sign-in settings could not be loaded from the Sync Sidebar service.");
    }
    const msal = await this.loadMsal();
    const options = { config, redirectUri: this.redirectUri, cache: "local" as const };
    if (this.host.kind === "office") {
      const support = (await this.host.features()).find((f) => f.feature === "nestedAppAuth");
      if (support?.supported) {
        try {
          const app = await msal.createNestableClient(options);
          this.diag.path = "naa";
          return { config, msal, path: "naa", app };
        } catch (error) {
          this.diag.lastFailure = msalErrorCode(error) || "naa_unavailable";
          this.skip("naa", `Nested App Authentication could not start (${msalErrorCode(error) || "unknown error"})`);
        }
      } else {
        this.skip("naa", support?.reason ?? "NestedAppAuth 1.1 is not supported by this Outlook");
      }
    } else {
      this.skip("naa", "Not running inside Outlook (browser preview): Nested App Authentication needs an Office host");
    }
    const app = await msal.createPublicClient(options);
    this.diag.path = "popup";
    return { config, msal, path: "popup", app };
  }

  async restore(): Promise<AuthAccount | null> {
    const { app, config, path } = await this.start();
    const cached = app.getActiveAccount() ?? app.getAllAccounts()[0] ?? null;
    if (!cached && path !== "naa") return null;
    try {
      const token = await app.acquireTokenSilent({ scopes: config.apiScopes, ...(cached ? { account: cached } : {}) });
      this.remember(app, token.account ?? cached);
      return this.account ? toAccount(this.account) : null;
    } catch (error) {
      if (isInteractionRequired(error)) return null;
      throw this.record(error);
    }
  }

  private remember(app: MsalApp, account: MsalAccount | null): void {
    this.account = account;
    if (account) app.setActiveAccount(account);
  }

  async signIn(): Promise<AuthAccount> {
    const { app, config } = await this.start();
    try {
      // Let someone with several accounts (Entra ID, or the lab's picker) choose which one signs in.
      const result = await app.acquireTokenPopup({ scopes: config.apiScopes, prompt: "select_account" });
      this.remember(app, result.account);
      this.dialogSession = null;
      if (!result.account) throw new SignInError("failed", "Sign-in returned no account.");
      return toAccount(result.account);
    } catch (error) {
      const failure = this.record(error);
      if (failure.kind !== "popup_blocked" || this.host.kind !== "office") throw failure;
      this.skip("popup", "The browser blocked the sign-in popup inside Office");
      const session = await signInWithDialog(this.host, dialogUrl(this.origin, "user")).catch(
        (dialogError: unknown) => {
          throw this.record(dialogError);
        },
      );
      this.diag.path = "dialog";
      this.dialogSession = session;
      // The dialog shares this origin's MSAL cache: pick up its account so silent renewal works from here on.
      const signedIn = app.getAllAccounts().find((a) => a.username.toLowerCase() === session.username.toLowerCase());
      if (signedIn) this.remember(app, signedIn);
      return { username: session.username, name: session.name };
    }
  }

  getToken(options: { forceRefresh?: boolean } = {}): Promise<string> {
    // One request at a time: every API call of a render shares the token that is being fetched.
    if (this.inflight && !options.forceRefresh) return this.inflight;
    const request = this.acquire(options.forceRefresh ?? false).finally(() => {
      if (this.inflight === request) this.inflight = null;
    });
    this.inflight = request;
    return request;
  }

  private async acquire(forceRefresh: boolean): Promise<string> {
    const { app, config, path } = await this.start();
    if (!this.account && path !== "naa") {
      if (this.dialogSession && !forceRefresh && this.stillValid(this.dialogSession.expiresOn)) {
        return this.dialogSession.accessToken;
      }
      throw new SignInError("interaction_required", "You are not signed in.");
    }
    try {
      const result = await app.acquireTokenSilent({
        scopes: config.apiScopes,
        ...(this.account ? { account: this.account } : {}),
        ...(forceRefresh ? { forceRefresh: true } : {}),
      });
      if (result.account) this.remember(app, result.account);
      return result.accessToken;
    } catch (error) {
      throw this.record(error);
    }
  }

  private stillValid(expiresOn: Date | null): boolean {
    return expiresOn === null || expiresOn.getTime() - this.now() > 60_000;
  }

  async signOut(): Promise<void> {
    this.dialogSession = null;
    const account = this.account;
    this.account = null;
    if (!this.ready) return;
    const { app } = await this.ready;
    app.setActiveAccount(null);
    // Local sign-out: forget this pane's tokens without navigating away from the admin's work.
    await app.clearCache(account).catch(() => undefined);
  }

  async signInServiceAccount(loginHint: string): Promise<ServiceAccountToken> {
    const { config, msal } = await this.start();
    this.serviceAccountApp ??= msal.createPublicClient({ config, redirectUri: this.redirectUri, cache: "memory" });
    const app = await this.serviceAccountApp;
    try {
      // prompt=login: the identity provider must ask for the service account's own credentials, not reuse the
      // admin's session; the token is for the API, which exchanges it on-behalf-of for EWS.
      const result = await app.acquireTokenPopup({
        scopes: config.apiScopes,
        loginHint,
        prompt: "login",
        ...(config.protocolMode === "aad" ? { extraScopesToConsent: config.serviceAccountScopes } : {}),
      });
      return {
        accessToken: result.accessToken,
        username: result.account?.username ?? loginHint,
        expiresOn: result.expiresOn,
      };
    } catch (error) {
      const failure = explain(error);
      if (failure.kind !== "popup_blocked" || this.host.kind !== "office") throw failure;
      const session = await signInWithDialog(this.host, dialogUrl(this.origin, "serviceAccount", loginHint));
      return { accessToken: session.accessToken, username: session.username, expiresOn: session.expiresOn };
    } finally {
      // Nothing of the service account stays in the pane once the backend has its token.
      await app.clearCache(null).catch(() => undefined);
    }
  }
}
