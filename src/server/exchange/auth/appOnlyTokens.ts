/** Client-credentials tokens for the Graph app-only access type, with a client secret or a certificate. */
import { X509Certificate, createPrivateKey } from "node:crypto";
import { ConfidentialClientApplication, type NodeAuthOptions } from "@azure/msal-node";
import type { AppOnlyCredential, GraphAppOnlyConfig } from "../config.js";
import type { IdentitySettings } from "../driver.js";
import type { ExchangeFetch } from "../transport.js";
import type { Classified } from "../transport.js";
import { classifyMsalError } from "./msalErrors.js";
import { msalConfiguration } from "./msalConfig.js";
import { msalNetworkModule } from "./msalNetwork.js";
import type { TokenSource } from "./tokenMemo.js";
import { memoizedTokenSource } from "./tokenMemo.js";

/** msal-node wants a SHA-256 thumbprint in hex and a PKCS#8 private key; admins often hold PKCS#1 ("RSA PRIVATE KEY"). */
export function certificateCredential(
  credential: Extract<AppOnlyCredential, { type: "certificate" }>,
):
  | { ok: true; clientCertificate: NonNullable<NodeAuthOptions["clientCertificate"]> }
  | { ok: false; classified: Classified } {
  try {
    const certificate = new X509Certificate(credential.certificatePem);
    const privateKey = createPrivateKey(credential.privateKeyPem);
    if (!certificate.checkPrivateKey(privateKey)) {
      return {
        ok: false,
        classified: { category: "auth_failed", detail: "the private key does not belong to the certificate" },
      };
    }
    return {
      ok: true,
      clientCertificate: {
        thumbprintSha256: certificate.fingerprint256.replace(/:/g, ""),
        privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      },
    };
  } catch (error) {
    return {
      ok: false,
      classified: {
        category: "auth_failed",
        detail: `unreadable certificate or private key (${(error as Error).message})`,
      },
    };
  }
}

export function createAppOnlyTokenSource(
  config: GraphAppOnlyConfig,
  identity: IdentitySettings,
  fetch: ExchangeFetch,
  scope: string,
  timeoutMs: number,
): TokenSource {
  const network = msalNetworkModule(fetch, timeoutMs);
  let client: ConfidentialClientApplication | null = null;
  let setupFailure: Classified | null = null;
  if (config.credential.type === "secret") {
    client = new ConfidentialClientApplication(
      msalConfiguration(
        identity,
        config.tenantId,
        { clientId: config.clientId, clientSecret: config.credential.clientSecret },
        network,
      ),
    );
  } else {
    const certificate = certificateCredential(config.credential);
    if (certificate.ok) {
      client = new ConfidentialClientApplication(
        msalConfiguration(
          identity,
          config.tenantId,
          { clientId: config.clientId, clientCertificate: certificate.clientCertificate },
          network,
        ),
      );
    } else {
      setupFailure = certificate.classified;
    }
  }
  return memoizedTokenSource(async (forceRefresh) => {
    if (client === null) return { ok: false, classified: setupFailure ?? { category: "auth_failed" } };
    try {
      const result = await client.acquireTokenByClientCredential({ scopes: [scope], skipCache: forceRefresh });
      if (result === null || result.accessToken === "") {
        return { ok: false, classified: { category: "auth_failed", detail: "the identity provider issued no token" } };
      }
      return { ok: true, accessToken: result.accessToken, expiresOn: result.expiresOn };
    } catch (error) {
      return { ok: false, classified: classifyMsalError(error, network.lastFailure(), "app", network.lastRefusal()) };
    }
  });
}
