/** Turns msal-node failures into categories, never echoing secrets (msal's messages carry codes and trace ids only). */
import { AuthError, InteractionRequiredAuthError } from "@azure/msal-node";
import type { CategoryId } from "../../../contract/categories.js";
import type { Classified } from "../transport.js";

/** Entra's AADSTS codes of client-credential failures, each with its own remedy (DOMAIN.md). */
export const AADSTS_CATEGORIES: Readonly<Record<string, CategoryId>> = {
  "7000222": "secret_expired",
  "7000215": "secret_id_pasted",
  "700016": "app_not_in_tenant",
  "53003": "conditional_access_blocked",
  "90002": "tenant_not_found",
};

/** The first AADSTS code in an error description ("AADSTS7000222: The provided client secret keys … are expired."). */
export function aadstsCode(text: string | undefined): string | null {
  return /AADSTS(\d+)/.exec(text ?? "")?.[1] ?? null;
}

const CLIENT_REFUSED = new Set(["invalid_client", "unauthorized_client", "invalid_resource", "invalid_scope"]);
const SIGN_IN_NEEDED = new Set([
  "invalid_grant",
  "interaction_required",
  "consent_required",
  "login_required",
  "no_tokens_found",
  "no_account_found",
  "token_refresh_required",
  "refresh_token_expired",
  "bad_token",
]);

function firstLine(text: string): string {
  const line = text.split(/\r?\n/)[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * An AADSTS code with its own category wins (from msal's error, or from the identity provider's last refusal that
 * msal wraps without its body, e.g. a discovery document answered with AADSTS90002);
 * kind "delegated": a refused refresh means the service account must sign in again (token_expired);
 * kind "app": the app's secret or certificate was refused (auth_failed).
 */
export function classifyMsalError(
  error: unknown,
  transport: Classified | null,
  kind: "delegated" | "app",
  lastRefusal: string | null = null,
): Classified {
  if (transport !== null)
    return { ...transport, detail: `identity provider: ${transport.detail ?? transport.category}` };
  if (error instanceof AuthError) {
    const code = error.errorCode;
    const detail = `${code}${error.errorMessage ? `: ${firstLine(error.errorMessage)}` : ""}`;
    const aadsts = aadstsCode(error.errorMessage) ?? aadstsCode(lastRefusal ?? undefined);
    const known = aadsts === null ? undefined : AADSTS_CATEGORIES[aadsts];
    if (known !== undefined) {
      const words = aadstsCode(error.errorMessage) === null && lastRefusal !== null ? firstLine(lastRefusal) : detail;
      return { category: known, detail: words };
    }
    if (error instanceof InteractionRequiredAuthError || SIGN_IN_NEEDED.has(code)) {
      return { category: kind === "delegated" ? "token_expired" : "auth_failed", detail };
    }
    if (CLIENT_REFUSED.has(code)) return { category: "auth_failed", detail };
    if (code === "network_error" || code === "endpoints_resolution_error" || code === "openid_config_error") {
      return { category: "network_error", detail };
    }
    return { category: "auth_failed", detail };
  }
  return {
    category: "auth_failed",
    detail: error instanceof Error ? firstLine(error.message) : "token request failed",
  };
}
