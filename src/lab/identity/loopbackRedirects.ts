/** The pane runs on dynamic loopback ports in tests: admit any https loopback origin with a registered path. */
import type Provider from "oidc-provider";
import type { Scenario } from "../scenario.js";

export function isLoopbackHttps(uri: string): URL | null {
  const url = URL.parse(uri);
  if (!url || url.protocol !== "https:" || url.username || url.password) return null;
  return ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) ? url : null;
}

export function admitLoopbackRedirects(provider: Provider, scenario: Scenario): void {
  const spaPaths = new Set(scenario.apps.spa.redirectPaths);
  const spaClientId = scenario.apps.spa.clientId;
  // The pane runs on dynamic loopback ports in tests: admit any https loopback origin with a registered path.
  type UriCheck = (this: unknown, uri: string) => boolean;
  const original = Reflect.get<object, string>(provider.Client.prototype, "redirectUriAllowed") as UriCheck;
  provider.Client.prototype.redirectUriAllowed = function (this: { clientId: string }, uri: string): boolean {
    if (this.clientId === spaClientId) {
      const url = isLoopbackHttps(uri);
      if (url && spaPaths.has(url.pathname) && !url.hash) return true;
    }
    return original.call(this, uri);
  };
  const originalLogout = Reflect.get<object, string>(
    provider.Client.prototype,
    "postLogoutRedirectUriAllowed",
  ) as UriCheck;
  provider.Client.prototype.postLogoutRedirectUriAllowed = function (this: { clientId: string }, uri: string): boolean {
    if (this.clientId === spaClientId && isLoopbackHttps(uri)) return true;
    return originalLogout.call(this, uri);
  };
}
