/**
 * An Entra ID v2-like identity provider for one tenant, built on oidc-provider and mounted at /{tenantId}/v2.0:
 * discovery, authorize (PKCE), token, JWKS, end session, a login page for the scenario's users; client credentials
 * with `roles`; on-behalf-of (jwt-bearer) issuing delegated EWS tokens and refresh tokens. Access tokens are JWTs
 * with Entra's claims (tid, oid, preferred_username, scp or roles, ver 2.0, azp/appid); Entra-style scopes such as
 * "https://outlook.office365.com/EWS.AccessAsUser.All" select the audience (resource indicators).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
// Before oidc-provider, which warns about Node.js 20 at import: see the file.
import "./quietRuntimeWarning.js";
import Provider from "oidc-provider";
import type { Directory } from "../directory.js";
import type { Scenario } from "../scenario.js";
import type { LabStats } from "../stats.js";
import { OBO_GRANT } from "./clients.js";
import { providerConfiguration } from "./configuration.js";
import { installEntraRefusals } from "./entraErrors.js";
import { handleInteraction } from "./interaction.js";
import type { SigningKey } from "./keys.js";
import { admitLoopbackRedirects } from "./loopbackRedirects.js";
import { onBehalfOf } from "./onBehalfOf.js";
import { resourceServers } from "./resources.js";

export { EWS_RESOURCE, GRAPH_RESOURCE, splitScope } from "./resources.js";

export interface IdentityOptions {
  scenario: Scenario;
  directory: Directory;
  key: SigningKey;
  issuer: string;
  stats: LabStats;
}

export class IdentityService {
  private constructor(
    private readonly provider: Provider,
    private readonly options: IdentityOptions,
  ) {}

  static create(options: IdentityOptions): IdentityService {
    const resourceInfo = resourceServers(options.scenario);
    const provider = new Provider(options.issuer, providerConfiguration(options, resourceInfo));
    admitLoopbackRedirects(provider, options.scenario);
    installEntraRefusals(provider, options.scenario, options.directory);
    provider.registerGrantType(
      OBO_GRANT,
      async (ctx) => {
        await onBehalfOf(ctx, provider, options, resourceInfo);
      },
      ["assertion", "requested_token_use", "scope"],
    );
    return new IdentityService(provider, options);
  }

  /** Serves a request whose path starts with the mount (/{tenantId}/v2.0). */
  async handle(req: IncomingMessage, res: ServerResponse, mount: string): Promise<void> {
    const url = req.url ?? "/";
    if (!url.startsWith(`${mount}/`) && url !== mount) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "not_found" }));
      return;
    }
    const inner = url.slice(mount.length) || "/";
    if (inner.startsWith("/interaction/")) {
      await handleInteraction(this.provider, this.options.directory, req, res, inner);
      return;
    }
    // oidc-provider derives its mount path from originalUrl versus url, as under Express.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
    req.url = inner;
    await new Promise<void>((resolve) => {
      res.on("finish", resolve);
      res.on("close", resolve);
      void this.provider.callback()(req, res);
    });
  }
}
