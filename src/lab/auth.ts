/**
 * Who is calling: Basic credentials of a directory account, or a bearer token issued by the lab's identity provider
 * (delegated: a user with scp; app-only: an app registration with roles). Results are cached per Authorization
 * header so a check run's thousands of identical requests cost one verification.
 */
import type { DirectoryEntry } from "./directory.js";
import type { Directory } from "./directory.js";
import type { AppOnlyRegistration } from "./scenario.js";
import { verifyLabToken, type SigningKey } from "./identity/keys.js";

export type Caller =
  | { kind: "basic" | "ntlm"; account: DirectoryEntry; budgetKey: string }
  | {
      kind: "delegated";
      account: DirectoryEntry;
      audience: string;
      scopes: Set<string>;
      clientId: string;
      budgetKey: string;
    }
  | { kind: "appOnly"; app: AppOnlyRegistration; audience: string; roles: Set<string>; budgetKey: string };

export type AuthResult =
  | { ok: true; caller: Caller }
  | {
      ok: false;
      reason: "missing" | "basic_disabled" | "bad_credentials" | "invalid_token" | "expired_token" | "wrong_audience";
      detail: string;
    };

const CACHE_LIMIT = 20_000;

export class Authenticator {
  private readonly cache = new Map<string, { result: AuthResult; until: number }>();

  constructor(
    private readonly directory: Directory,
    private readonly key: SigningKey,
    private readonly issuer: string,
  ) {}

  /** Drops every cached verdict: the directory changed (a password, a refresh token) while the lab runs. */
  forget(): void {
    this.cache.clear();
  }

  /** `audiences` lists the token audiences this resource server accepts; `allowBasic` is false for Exchange Online. */
  async authenticate(
    header: string | undefined,
    audiences: readonly string[],
    allowBasic: boolean,
  ): Promise<AuthResult> {
    if (!header) return { ok: false, reason: "missing", detail: "no Authorization header" };
    const cacheKey = `${allowBasic ? "b" : "-"}${audiences.join(",")}|${header}`;
    const cached = this.cache.get(cacheKey);
    const now = Date.now();
    if (cached && cached.until > now) return cached.result;
    const { result, until } = await this.evaluate(header, audiences, allowBasic, now);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(cacheKey, { result, until });
    return result;
  }

  private async evaluate(
    header: string,
    audiences: readonly string[],
    allowBasic: boolean,
    now: number,
  ): Promise<{ result: AuthResult; until: number }> {
    const space = header.indexOf(" ");
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    // Failures are cached briefly only, so a fixed scenario or a new token takes effect at once.
    const shortly = now + 1000;
    if (scheme === "basic") {
      if (!allowBasic) {
        return {
          result: { ok: false, reason: "basic_disabled", detail: "Basic authentication is disabled" },
          until: shortly,
        };
      }
      const decoded = Buffer.from(value, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      const user = colon < 0 ? decoded : decoded.slice(0, colon);
      const password = colon < 0 ? "" : decoded.slice(colon + 1);
      // Accept DOMAIN\user and UPN forms, as Exchange on-premises does.
      const backslash = user.indexOf("\\");
      const logon = backslash >= 0 ? `${user.slice(backslash + 1)}@${this.directory.scenario.domain}` : user;
      const account = this.directory.checkPassword(logon, password);
      if (!account)
        return {
          result: { ok: false, reason: "bad_credentials", detail: "logon or password refused" },
          until: shortly,
        };
      return {
        result: { ok: true, caller: { kind: "basic", account, budgetKey: account.email } },
        until: now + 60_000,
      };
    }
    if (scheme !== "bearer") {
      return { result: { ok: false, reason: "missing", detail: `unsupported scheme ${scheme}` }, until: shortly };
    }
    let claims;
    try {
      claims = await verifyLabToken(this.key, this.issuer, value);
    } catch (error) {
      const expired = (error as { code?: string }).code === "ERR_JWT_EXPIRED";
      return {
        result: {
          ok: false,
          reason: expired ? "expired_token" : "invalid_token",
          detail: expired ? "The token has expired." : "The token could not be verified.",
        },
        until: shortly,
      };
    }
    const audience = [claims.aud]
      .flat()
      .find((aud): aud is string => typeof aud === "string" && audiences.includes(aud));
    if (!audience) {
      return {
        result: { ok: false, reason: "wrong_audience", detail: "The audience claim value is invalid." },
        until: shortly,
      };
    }
    const until = Math.min((claims.exp ?? 0) * 1000, now + 300_000);
    const clientId = claims.azp ?? claims.appid ?? "";
    if (claims.scp !== undefined && claims.oid) {
      const account = this.directory.byOid.get(claims.oid);
      if (!account)
        return { result: { ok: false, reason: "invalid_token", detail: "unknown user in token" }, until: shortly };
      const scopes = new Set(claims.scp.split(" ").filter(Boolean));
      return {
        result: {
          ok: true,
          caller: { kind: "delegated", account, audience, scopes, clientId, budgetKey: account.email },
        },
        until,
      };
    }
    const app = this.directory.appsByClientId.get(clientId);
    if (!app)
      return { result: { ok: false, reason: "invalid_token", detail: "unknown application in token" }, until: shortly };
    const roles = new Set(Array.isArray(claims.roles) ? claims.roles : []);
    return {
      result: { ok: true, caller: { kind: "appOnly", app, audience, roles, budgetKey: `app:${app.clientId}` } },
      until,
    };
  }
}
