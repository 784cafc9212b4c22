/** The scenario's app registrations as oidc-provider clients: the pane (public, PKCE), the backend, app-only apps. */
import { X509Certificate } from "node:crypto";
import type { ClientMetadata } from "oidc-provider";
import type { Scenario } from "../scenario.js";

export const OBO_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

export function labClients(scenario: Scenario): ClientMetadata[] {
  return [
    {
      client_id: scenario.apps.spa.clientId,
      client_name: "Sync Sidebar (pane)",
      token_endpoint_auth_method: "none",
      application_type: "web",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      // Concrete entries for metadata; redirectUriAllowed below admits any loopback https origin with these paths.
      redirect_uris: scenario.apps.spa.redirectPaths.map((p) => `https://localhost${p}`),
      post_logout_redirect_uris: scenario.apps.spa.redirectPaths.map((p) => `https://localhost${p}`),
    },
    {
      client_id: scenario.apps.backend.clientId,
      client_name: "Sync Sidebar (backend)",
      client_secret: scenario.apps.backend.secret,
      token_endpoint_auth_method: "client_secret_post",
      grant_types: ["authorization_code", "refresh_token", "client_credentials", OBO_GRANT],
      response_types: ["code"],
      redirect_uris: ["https://localhost/auth/callback"],
    },
    ...scenario.apps.appOnly.map((app): ClientMetadata => {
      const common: ClientMetadata = {
        client_id: app.clientId,
        client_name: app.displayName,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
      };
      if (app.certificatePem) {
        const cert = new X509Certificate(app.certificatePem);
        const jwk = cert.publicKey.export({ format: "jwk" });
        return { ...common, token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [{ ...jwk, use: "sig" }] } };
      }
      return { ...common, token_endpoint_auth_method: "client_secret_post", client_secret: app.secret ?? "" };
    }),
  ];
}
