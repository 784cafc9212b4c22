/**
 * How the backend is pointed at an Exchange lab: one mapping from the lab's ready line to backend environment
 * variables, used by `npm start`, the browser tests, the crash test and the benchmarks alike. Development and
 * tests only: host overrides and the lab's CA are refused by the backend in production.
 */

/** What the backend needs to know of a lab (its ready line, plus the backend client's secret from its scenario). */
export interface LabEndpoints {
  port: number;
  issuer: string;
  jwksUri: string;
  authority: string;
  baseUrl: string;
  caCertFile: string;
  backendClientId: string;
  backendClientSecret: string;
  hostOverrides: Record<string, string>;
  ewsScope: string;
  graphScope: string;
}

/** Environment that points the backend's outbound client, token verification and drivers at the lab. */
export function backendEnvForLab(lab: LabEndpoints): Record<string, string> {
  const overrides = [
    "localhost=127.0.0.1",
    ...Object.keys(lab.hostOverrides).map((host) => `${host}=127.0.0.1:${lab.port}`),
  ];
  return {
    OUTBOUND_CA_FILE: lab.caCertFile,
    OUTBOUND_HOST_OVERRIDES: overrides.join(","),
    TOKEN_ISSUERS: lab.issuer,
    TOKEN_AUDIENCE: lab.backendClientId,
    TOKEN_JWKS_URI: lab.jwksUri,
    EXCHANGE_AUTHORITY: lab.authority,
    EXCHANGE_KNOWN_AUTHORITIES: new URL(lab.authority).host,
    EXCHANGE_PROTOCOL_MODE: "oidc",
    BACKEND_CLIENT_ID: lab.backendClientId,
    BACKEND_CLIENT_SECRET: lab.backendClientSecret,
    GRAPH_BASE_URL: lab.baseUrl,
    EXCHANGE_EWS_SCOPE: lab.ewsScope,
    GRAPH_SCOPE: lab.graphScope,
  };
}

/** What the pane's MSAL needs (served by the backend's public /api/client-config) to sign users in at the lab. */
export function paneAuthEnvForLab(lab: {
  authority: string;
  spaClientId: string;
  apiScope: string;
}): Record<string, string> {
  return {
    AUTH_AUTHORITY: lab.authority,
    AUTH_CLIENT_ID: lab.spaClientId,
    AUTH_KNOWN_AUTHORITIES: new URL(lab.authority).host,
    AUTH_API_SCOPES: lab.apiScope,
    AUTH_PROTOCOL_MODE: "oidc",
  };
}

/**
 * A production environment (what `npm run serve` and `npm run doctor` accept) whose identity provider is the lab:
 * no host overrides (refused in production), the lab's CA trusted with OUTBOUND_CA_FILE, and its loopback host
 * allowed by name. Mailbox checks need the host overrides, so they stay a development affair.
 */
export function productionEnvForLab(
  lab: Pick<LabEndpoints, "issuer" | "jwksUri" | "caCertFile" | "backendClientId" | "backendClientSecret"> & {
    authority: string;
    spaClientId: string;
    apiScope: string;
  },
): Record<string, string> {
  return {
    NODE_ENV: "production",
    OUTBOUND_CA_FILE: lab.caCertFile,
    OUTBOUND_ALLOWED_HOSTS: new URL(lab.issuer).hostname,
    TOKEN_ISSUERS: lab.issuer,
    TOKEN_AUDIENCE: lab.backendClientId,
    TOKEN_JWKS_URI: lab.jwksUri,
    BACKEND_CLIENT_ID: lab.backendClientId,
    BACKEND_CLIENT_SECRET: lab.backendClientSecret,
    EXCHANGE_AUTHORITY: lab.authority,
    EXCHANGE_KNOWN_AUTHORITIES: new URL(lab.authority).host,
    EXCHANGE_PROTOCOL_MODE: "oidc",
    ...paneAuthEnvForLab(lab),
  };
}
