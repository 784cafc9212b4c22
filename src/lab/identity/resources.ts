/** The resources the lab's tokens are for, and how Entra-style scopes ("{resource}/{name}") name them. */
import { errors } from "oidc-provider";
import type { ResourceServer } from "oidc-provider";
import type { Scenario } from "../scenario.js";

export const EWS_RESOURCE = "https://outlook.office365.com";
export const GRAPH_RESOURCE = "https://graph.microsoft.com";

/** "https://outlook.office365.com/EWS.AccessAsUser.All" → ["https://outlook.office365.com", "EWS.AccessAsUser.All"]. */
export function splitScope(scope: string): [resource: string, name: string] | null {
  const match = /^((?:https|api):\/\/[^/]+)\/(.+)$/.exec(scope);
  return match?.[1] && match[2] ? [match[1], match[2]] : null;
}

/** The distinct resources a space-separated scope string names. */
export function resourcesOf(scope: string): string[] {
  return [
    ...new Set(
      scope
        .split(" ")
        .map(splitScope)
        .filter((s) => s !== null)
        .map(([resource]) => resource),
    ),
  ];
}

export type ResourceInfo = (indicator: string) => ResourceServer;

/** EWS, Graph and the backend's own API as resource servers; any other resource is unknown to the tenant. */
export function resourceServers(scenario: Scenario): ResourceInfo {
  const apiResource = splitScope(scenario.apps.backend.apiScope)?.[0] ?? "api://sync-sidebar";
  return (indicator) => {
    const base = {
      accessTokenFormat: "jwt" as const,
      accessTokenTTL: scenario.tokens.accessTokenSeconds,
      jwt: { sign: { alg: "RS256" as const } },
    };
    if (indicator === EWS_RESOURCE)
      return {
        ...base,
        audience: EWS_RESOURCE,
        scope: `${EWS_RESOURCE}/EWS.AccessAsUser.All ${EWS_RESOURCE}/.default`,
      };
    if (indicator === GRAPH_RESOURCE) {
      const delegated = ["User.Read", "Mail.Read", "Place.Read.All"].map((s) => `${GRAPH_RESOURCE}/${s}`).join(" ");
      return { ...base, audience: GRAPH_RESOURCE, scope: `${delegated} ${GRAPH_RESOURCE}/.default` };
    }
    if (indicator === apiResource)
      return {
        ...base,
        audience: scenario.apps.backend.clientId,
        scope: `${scenario.apps.backend.apiScope} ${apiResource}/.default`,
      };
    throw new errors.InvalidTarget(
      `AADSTS500011: The resource principal named ${indicator} was not found in the tenant.`,
    );
  };
}
