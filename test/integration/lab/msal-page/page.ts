// A minimal MSAL browser client for the lab test: settings come from the query string, the outcome goes to #result.
import { ProtocolMode, createStandardPublicClientApplication } from "@azure/msal-browser";

const params = new URLSearchParams(location.search);
const authority = params.get("authority") ?? "";
const result = document.getElementById("result")!;

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

document.getElementById("login")!.addEventListener("click", () => {
  pca
    .loginPopup({ scopes: [params.get("scope") ?? ""], loginHint: params.get("loginHint") ?? "" })
    .then(async (login) => {
      // A second token for the same account comes from the cache or the refresh token, without a popup.
      const silent = await pca.acquireTokenSilent({ scopes: [params.get("scope") ?? ""], account: login.account });
      result.textContent = JSON.stringify({
        ok: true,
        username: login.account.username,
        accessToken: login.accessToken,
        idTokenClaims: login.idTokenClaims,
        silentToken: silent.accessToken,
      });
    })
    .catch((error: unknown) => {
      result.textContent = JSON.stringify({ ok: false, error: String(error) });
    });
});
