import { describe, expect, it, vi } from "vitest";
import type { ClientConfigDto } from "../../../../src/contract/api";
import { SignInError } from "../../../../src/taskpane/auth/authTypes";
import { MsalAuthService } from "../../../../src/taskpane/auth/msalAuthService";
import type {
  MsalAccount,
  MsalApp,
  MsalAppOptions,
  MsalModule,
  MsalTokenRequest,
} from "../../../../src/taskpane/auth/msalTypes";
import { OfficeMailboxHost } from "../../../../src/taskpane/office/officeMailboxHost";
import { PreviewMailboxHost } from "../../../../src/taskpane/office/previewMailboxHost";
import { double } from "../../../setup/officeDouble";

const CONFIG: ClientConfigDto = {
  authority: "https://localhost:4443/tenant/v2.0",
  clientId: "spa-client",
  knownAuthorities: ["localhost:4443"],
  apiScopes: ["api://sync-sidebar/access_as_user"],
  protocolMode: "oidc",
  serviceAccountScopes: ["https://outlook.office365.com/EWS.AccessAsUser.All"],
};

const megan: MsalAccount = { homeAccountId: "megan", username: "megan.bowen@contoso.lab", name: "Megan Bowen" };

function msalError(errorCode: string, name = "BrowserAuthError"): Error {
  return Object.assign(new Error(errorCode), { errorCode, name });
}

/** A scriptable MSAL client: tokens come from the queue of answers given per method. */
class FakeMsalApp implements MsalApp {
  accounts: MsalAccount[] = [];
  active: MsalAccount | null = null;
  readonly silent = vi.fn(
    (
      request: MsalTokenRequest,
    ): Promise<{ accessToken: string; account: MsalAccount | null; expiresOn: Date | null }> =>
      request.account || this.accounts.length > 0
        ? Promise.resolve({
            accessToken: `silent-${request.forceRefresh ? "fresh" : "cached"}`,
            account: request.account ?? null,
            expiresOn: null,
          })
        : Promise.reject(msalError("no_account_error")),
  );
  readonly popup = vi.fn(
    (
      request: MsalTokenRequest,
    ): Promise<{ accessToken: string; account: MsalAccount | null; expiresOn: Date | null }> => {
      void request;
      this.accounts = [megan];
      return Promise.resolve({ accessToken: "popup-token", account: megan, expiresOn: null });
    },
  );
  readonly cleared = vi.fn();

  getAllAccounts = () => this.accounts;
  getActiveAccount = () => this.active;
  setActiveAccount = (account: MsalAccount | null) => {
    this.active = account;
  };
  acquireTokenSilent = (request: MsalTokenRequest) => this.silent(request);
  acquireTokenPopup = (request: MsalTokenRequest) => this.popup(request);
  clearCache = (account: MsalAccount | null) => {
    this.cleared(account);
    return Promise.resolve();
  };
}

function fakeMsal() {
  const created: Array<{ kind: "public" | "nestable"; options: MsalAppOptions; app: FakeMsalApp }> = [];
  let nestableFails = false;
  const module: MsalModule = {
    createPublicClient: (options) => {
      const app = new FakeMsalApp();
      created.push({ kind: "public", options, app });
      return Promise.resolve(app);
    },
    createNestableClient: (options) => {
      if (nestableFails) return Promise.reject(msalError("nested_app_auth_bridge_disabled"));
      const app = new FakeMsalApp();
      created.push({ kind: "nestable", options, app });
      return Promise.resolve(app);
    },
  };
  return { module, created, failNestable: () => (nestableFails = true) };
}

function service(host = new PreviewMailboxHost() as OfficeMailboxHost | PreviewMailboxHost, msal = fakeMsal()) {
  const auth = new MsalAuthService({
    host,
    loadClientConfig: () => Promise.resolve(CONFIG),
    loadMsal: () => Promise.resolve(msal.module),
    origin: "https://localhost:3000",
  });
  return { auth, msal };
}

describe("MsalAuthService", () => {
  it("signs in with the MSAL popup in the browser preview and records why NAA was skipped", async () => {
    const { auth, msal } = service();

    await expect(auth.restore()).resolves.toBeNull();
    const account = await auth.signIn();

    expect(account).toEqual({ username: "megan.bowen@contoso.lab", name: "Megan Bowen" });
    expect(msal.created[0]?.kind).toBe("public");
    expect(msal.created[0]?.options).toMatchObject({ redirectUri: "https://localhost:3000/auth.html", cache: "local" });
    expect(msal.created[0]?.app.popup).toHaveBeenCalledWith(
      expect.objectContaining({ prompt: "select_account", scopes: CONFIG.apiScopes }),
    );
    expect(auth.diagnostics().path).toBe("popup");
    expect(auth.diagnostics().skipped[0]?.reason).toMatch(/browser preview/);
  });

  it("uses Nested App Authentication inside Outlook when NestedAppAuth 1.1 is supported", async () => {
    double.sets = { ...double.sets, NestedAppAuth: "1.1" };
    const { auth, msal } = service(new OfficeMailboxHost(globalThis.Office));

    await auth.restore();

    expect(msal.created.map((c) => c.kind)).toEqual(["nestable"]);
    expect(auth.diagnostics()).toEqual({ path: "naa", skipped: [] });
  });

  it("falls back to the popup inside an Outlook without NestedAppAuth 1.1 and says why", async () => {
    const { auth, msal } = service(new OfficeMailboxHost(globalThis.Office));

    await auth.restore();

    expect(msal.created.map((c) => c.kind)).toEqual(["public"]);
    expect(auth.diagnostics().skipped).toEqual([
      { path: "naa", reason: expect.stringContaining("NestedAppAuth 1.1 is not supported") },
    ]);
  });

  it("falls back to the popup when NAA fails to start, recording MSAL's reason", async () => {
    double.sets = { ...double.sets, NestedAppAuth: "1.1" };
    const msal = fakeMsal();
    msal.failNestable();
    const { auth } = service(new OfficeMailboxHost(globalThis.Office), msal);

    await auth.restore();

    expect(auth.diagnostics().path).toBe("popup");
    expect(auth.diagnostics().skipped[0]?.reason).toContain("nested_app_auth_bridge_disabled");
  });

  it("shares one in-flight token request between concurrent callers", async () => {
    const { auth, msal } = service();
    await auth.signIn();
    const app = msal.created[0]!.app;
    app.silent.mockClear();

    const tokens = await Promise.all([auth.getToken(), auth.getToken(), auth.getToken()]);

    expect(tokens).toEqual(["silent-cached", "silent-cached", "silent-cached"]);
    expect(app.silent).toHaveBeenCalledTimes(1);
    await expect(auth.getToken({ forceRefresh: true })).resolves.toBe("silent-fresh");
  });

  it("restores a cached account silently", async () => {
    const msal = fakeMsal();
    const { auth } = service(new PreviewMailboxHost(), msal);
    const original = msal.module.createPublicClient.bind(msal.module);
    msal.module.createPublicClient = async (options) => {
      const app = (await original(options)) as FakeMsalApp;
      app.accounts = [megan];
      return app;
    };

    await expect(auth.restore()).resolves.toEqual({ username: megan.username, name: "Megan Bowen" });
  });

  it("asks for interactive sign-in when there is no session", async () => {
    const { auth } = service();
    await auth.restore();

    await expect(auth.getToken()).rejects.toMatchObject({ name: "SignInError", kind: "interaction_required" });
  });

  it("reports a blocked popup in the browser with what to do", async () => {
    const { auth, msal } = service();
    await auth.restore();
    msal.created[0]!.app.popup.mockRejectedValueOnce(msalError("popup_window_error"));

    const failure = await auth.signIn().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(SignInError);
    expect(failure).toMatchObject({ kind: "popup_blocked", action: expect.stringContaining("Allow pop-up windows") });
  });

  it("reports a cancelled sign-in as cancelled", async () => {
    const { auth, msal } = service();
    await auth.restore();
    msal.created[0]!.app.popup.mockRejectedValueOnce(msalError("user_cancelled"));

    await expect(auth.signIn()).rejects.toMatchObject({ kind: "cancelled" });
  });

  it("falls back to the Office dialog when Office blocks the popup, and uses its token", async () => {
    const { auth, msal } = service(new OfficeMailboxHost(globalThis.Office));
    await auth.restore();
    msal.created[0]!.app.popup.mockRejectedValueOnce(msalError("popup_window_error"));

    const signingIn = auth.signIn();
    await vi.waitFor(() => expect(double.dialogs).toHaveLength(1));
    expect(double.dialogs[0]?.url).toBe("https://localhost:3000/auth.html?dialog=user");
    double.dialogs[0]!.sendMessage(
      JSON.stringify({
        status: "success",
        accessToken: "dialog-token",
        username: "megan.bowen@contoso.lab",
        name: "Megan Bowen",
        expiresOn: null,
      }),
    );

    await expect(signingIn).resolves.toEqual({ username: "megan.bowen@contoso.lab", name: "Megan Bowen" });
    expect(auth.diagnostics().path).toBe("dialog");
    expect(auth.diagnostics().skipped.map((s) => s.path)).toEqual(["naa", "popup"]);
  });

  it("reports a closed Office dialog as a cancelled sign-in", async () => {
    const { auth, msal } = service(new OfficeMailboxHost(globalThis.Office));
    await auth.restore();
    msal.created[0]!.app.popup.mockRejectedValueOnce(msalError("popup_window_error"));

    const signingIn = auth.signIn();
    await vi.waitFor(() => expect(double.dialogs).toHaveLength(1));
    double.dialogs[0]!.userCloses();

    await expect(signingIn).rejects.toMatchObject({ kind: "cancelled" });
  });

  it("signs the service account in on a separate memory-only client without touching the admin's session", async () => {
    const { auth, msal } = service();
    await auth.signIn();
    const userApp = msal.created[0]!.app;

    const token = await auth.signInServiceAccount("svc-sync@contoso.lab");

    const serviceClient = msal.created[1]!;
    expect(serviceClient.options.cache).toBe("memory");
    expect(serviceClient.app.popup).toHaveBeenCalledWith(
      expect.objectContaining({ loginHint: "svc-sync@contoso.lab", prompt: "login", scopes: CONFIG.apiScopes }),
    );
    expect(token.accessToken).toBe("popup-token");
    expect(serviceClient.app.cleared).toHaveBeenCalled();
    expect(userApp.active).toEqual(megan);
    await expect(auth.getToken()).resolves.toBe("silent-cached");
  });

  it("forgets the session on sign-out", async () => {
    const { auth, msal } = service();
    await auth.signIn();

    await auth.signOut();

    expect(msal.created[0]!.app.cleared).toHaveBeenCalledWith(megan);
    await expect(auth.getToken()).rejects.toMatchObject({ kind: "interaction_required" });
  });

  it("says sign-in is not configured when the server has no client settings", async () => {
    const auth = new MsalAuthService({
      host: new PreviewMailboxHost(),
      loadClientConfig: () => Promise.reject(Object.assign(new Error("no"), { status: 503 })),
      loadMsal: () => Promise.resolve(fakeMsal().module),
      origin: "https://localhost:3000",
    });

    await expect(auth.restore()).rejects.toMatchObject({ kind: "not_configured" });
  });
});
