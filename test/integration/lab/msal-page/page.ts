// A minimal MSAL browser client for the lab test: settings come from the query string, outcomes go to #result
// (first sign-in) and #result-second (a second sign-in, e.g. another account with prompt=login).
import {
  CacheLookupPolicy,
  ProtocolMode,
  createStandardPublicClientApplication,
  type PopupRequest,
} from "@azure/msal-browser";

const params = new URLSearchParams(location.search);
const authority = params.get("authority") ?? "";
const scope = params.get("scope") ?? "";

const pca = await createStandardPublicClientApplication({
  auth: {
    clientId: params.get("clientId") ?? "",
    authority,
    knownAuthorities: [new URL(authority).host],
    redirectUri: `${location.origin}/auth.html`,
  },
  cache: { cacheLocation: "sessionStorage" },
  system: { protocolMode: ProtocolMode.OIDC },
});

function popupRequest(hintParam: string, promptParam: string): PopupRequest {
  const prompt = params.get(promptParam);
  return {
    scopes: [scope],
    loginHint: params.get(hintParam) ?? "",
    ...(prompt === "login" || prompt === "select_account" || prompt === "consent" ? { prompt } : {}),
  };
}

function report(element: string, outcome: unknown): void {
  document.getElementById(element)!.textContent = JSON.stringify(outcome);
}

function failed(element: string): (error: unknown) => void {
  return (error) => report(element, { ok: false, error: String(error) });
}

document.getElementById("login")!.addEventListener("click", () => {
  pca
    .loginPopup(popupRequest("loginHint", "prompt"))
    .then(async (login) => {
      // A second token for the same account comes from the cache or the refresh token, without a popup.
      const silent = await pca.acquireTokenSilent({ scopes: [scope], account: login.account });
      report("result", {
        ok: true,
        username: login.account.username,
        accessToken: login.accessToken,
        idTokenClaims: login.idTokenClaims,
        silentToken: silent.accessToken,
      });
    })
    .catch(failed("result"));
});

document.getElementById("login-second")!.addEventListener("click", () => {
  pca
    .loginPopup(popupRequest("secondLoginHint", "secondPrompt"))
    .then(async (login) => {
      // Every account this page signed in renews through its own refresh token (a fresh token from the lab).
      const renewed: Record<string, { accessToken: string } | { error: string }> = {};
      for (const account of pca.getAllAccounts()) {
        renewed[account.username] = await pca
          .acquireTokenSilent({
            scopes: [scope],
            account,
            forceRefresh: true,
            cacheLookupPolicy: CacheLookupPolicy.RefreshToken,
          })
          .then((token) => ({ accessToken: token.accessToken }))
          .catch((error: unknown) => ({ error: String(error) }));
      }
      report("result-second", {
        ok: true,
        username: login.account.username,
        accessToken: login.accessToken,
        idTokenClaims: login.idTokenClaims,
        renewed,
      });
    })
    .catch(failed("result-second"));
});
