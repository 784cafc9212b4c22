/**
 * The signed-in session for every view: the auth service, the API client over it, who is signed in and their
 * organizations (/api/me). Restores silently on start; views call signIn() from a button and report an expired
 * session with expire(), which keeps whatever the user typed on screen.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { MeDto } from "../../contract/api";
import { ApiClient } from "../backend/client";
import { SessionExpiredError } from "../backend/errors";
import type { MailboxHost } from "../office/mailboxHost";
import { isSignInError, SignInError, type AuthAccount, type AuthService } from "./authTypes";
import { MsalAuthService } from "./msalAuthService";

export type SessionStatus = "restoring" | "signed_out" | "signed_in" | "expired";

export interface Session {
  auth: AuthService;
  api: ApiClient;
  status: SessionStatus;
  account: AuthAccount | null;
  /** /api/me once signed in; null until loaded or when it failed (meError). */
  me: MeDto | null;
  meError: unknown;
  /** Why the last sign-in attempt failed, with what to do; null after a success. */
  signInError: SignInError | null;
  signingIn: boolean;
  signIn: () => Promise<void>;
  signOut: () => Promise<void>;
  /** A view got SessionExpiredError or interaction_required: show "sign in again" without dropping the view. */
  expire: () => void;
  reloadMe: () => void;
}

const SessionContext = createContext<Session | null>(null);

export interface SessionServices {
  auth: AuthService;
  api: ApiClient;
}

export function createSessionServices(host: MailboxHost): SessionServices {
  let auth: AuthService | null = null;
  const api = new ApiClient({ tokens: { getToken: (options) => auth!.getToken(options) } });
  auth = new MsalAuthService({ host, loadClientConfig: () => api.clientConfig() });
  return { auth, api };
}

/** True for the failures that mean "sign in again" rather than "something broke". */
export function needsSignIn(error: unknown): boolean {
  return error instanceof SessionExpiredError || isSignInError(error, "interaction_required");
}

export function SessionProvider({
  host,
  services,
  children,
}: {
  host: MailboxHost;
  /** Tests pass their own; the pane builds MSAL + the API client once per host. */
  services?: SessionServices;
  children: ReactNode;
}) {
  const { auth, api } = useMemo(() => services ?? createSessionServices(host), [services, host]);
  const [status, setStatus] = useState<SessionStatus>("restoring");
  const [account, setAccount] = useState<AuthAccount | null>(null);
  const [me, setMe] = useState<MeDto | null>(null);
  const [meError, setMeError] = useState<unknown>(null);
  const [signInError, setSignInError] = useState<SignInError | null>(null);
  const [signingIn, setSigningIn] = useState(false);
  const [meRequest, setMeRequest] = useState(0);

  useEffect(() => {
    let active = true;
    auth.restore().then(
      (restored) => {
        if (!active) return;
        setAccount(restored);
        setStatus(restored ? "signed_in" : "signed_out");
      },
      (error: unknown) => {
        if (!active) return;
        setSignInError(error instanceof SignInError ? error : new SignInError("failed", "Sign-in could not start."));
        setStatus("signed_out");
      },
    );
    return () => {
      active = false;
    };
  }, [auth]);

  useEffect(() => {
    if (status !== "signed_in") return;
    let active = true;
    api.me().then(
      (value) => {
        if (!active) return;
        setMe(value);
        setMeError(null);
      },
      (error: unknown) => {
        if (!active) return;
        if (needsSignIn(error)) setStatus("expired");
        else setMeError(error);
      },
    );
    return () => {
      active = false;
    };
  }, [api, status, meRequest]);

  const signIn = useCallback(async () => {
    setSigningIn(true);
    setSignInError(null);
    try {
      const signedIn = await auth.signIn();
      setAccount(signedIn);
      setStatus("signed_in");
      setMeRequest((n) => n + 1);
    } catch (error) {
      setSignInError(error instanceof SignInError ? error : new SignInError("failed", "Sign-in failed."));
    } finally {
      setSigningIn(false);
    }
  }, [auth]);

  const signOut = useCallback(async () => {
    await auth.signOut();
    setAccount(null);
    setMe(null);
    setStatus("signed_out");
  }, [auth]);

  const expire = useCallback(() => setStatus((current) => (current === "signed_in" ? "expired" : current)), []);
  const reloadMe = useCallback(() => setMeRequest((n) => n + 1), []);

  const session = useMemo<Session>(
    () => ({ auth, api, status, account, me, meError, signInError, signingIn, signIn, signOut, expire, reloadMe }),
    [auth, api, status, account, me, meError, signInError, signingIn, signIn, signOut, expire, reloadMe],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession must be used inside <SessionProvider>");
  return session;
}
