/**
 * The real MSAL, adapted to MsalModule. Loaded only by dynamic import, so @azure/msal-browser is its own chunk and
 * never part of the sidebar's first render. No PII or token ever reaches the log callback's output.
 */
import {
  LogLevel,
  PublicClientApplication,
  createNestablePublicClientApplication,
  type AuthenticationResult,
  type Configuration,
  type IPublicClientApplication,
  type PopupRequest,
  type SilentRequest,
} from "@azure/msal-browser";
import type { MsalAccount, MsalApp, MsalAppOptions, MsalModule, MsalTokenRequest, MsalTokenResult } from "./msalTypes";

function configuration({ config, redirectUri, cache }: MsalAppOptions): Configuration {
  return {
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      knownAuthorities: config.knownAuthorities,
      redirectUri,
      postLogoutRedirectUri: redirectUri,
    },
    cache: { cacheLocation: cache === "memory" ? "memoryStorage" : "localStorage" },
    system: {
      protocolMode: config.protocolMode === "oidc" ? "OIDC" : "AAD",
      loggerOptions: {
        logLevel: LogLevel.Error,
        loggerCallback: (_level, message, containsPii) => {
          if (!containsPii) console.warn(`[sign-in] ${message}`);
        },
      },
    },
  };
}

function result(value: AuthenticationResult): MsalTokenResult {
  return { accessToken: value.accessToken, account: value.account, expiresOn: value.expiresOn ?? null };
}

function adapt(app: IPublicClientApplication): MsalApp {
  const request = (r: MsalTokenRequest): SilentRequest & PopupRequest => {
    const { account, ...rest } = r;
    const known = account ? app.getAccount({ homeAccountId: account.homeAccountId }) : null;
    return { ...rest, ...(known ? { account: known } : {}) };
  };
  return {
    getAllAccounts: () => app.getAllAccounts(),
    getActiveAccount: () => app.getActiveAccount(),
    setActiveAccount: (account: MsalAccount | null) =>
      app.setActiveAccount(account ? app.getAccount({ homeAccountId: account.homeAccountId }) : null),
    acquireTokenSilent: async (r) => result(await app.acquireTokenSilent(request(r))),
    acquireTokenPopup: async (r) => result(await app.acquireTokenPopup(request(r))),
    clearCache: (account) =>
      app.clearCache(account ? { account: app.getAccount({ homeAccountId: account.homeAccountId }) } : {}),
  };
}

export const msalModule: MsalModule = {
  async createPublicClient(options) {
    const app = new PublicClientApplication(configuration(options));
    await app.initialize();
    return adapt(app);
  },
  async createNestableClient(options) {
    return adapt(await createNestablePublicClientApplication(configuration(options)));
  },
};
