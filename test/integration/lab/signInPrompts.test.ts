/**
 * The lab's authorization endpoint as a browser sees it (cookies kept, redirects followed, oidc-provider's
 * auto-submitting forms submitted): Entra's prompt values and login_hint against an existing lab session.
 */
import { createHash, randomBytes } from "node:crypto";
import { decodeJwt } from "jose";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type Lab } from "../../../src/lab/index.js";
import { agentFor } from "../../support/labClient.js";

const USER_A = "megan.bowen@contoso.lab";
const USER_B = "alex.wilber@contoso.lab";
const USER_PASSWORD = "Lab-Passw0rd!";
const REDIRECT_URI = "https://localhost:3000/auth.html";

let lab: Lab;

beforeAll(async () => {
  lab = await startLab();
});

afterAll(async () => {
  await lab?.close();
});

type Step = { kind: "redirect"; params: URLSearchParams } | { kind: "page"; status: number; url: string; body: string };

/** A cookie jar and redirect follower over the lab's HTTPS (its CA only); stops at the client's redirect URI. */
class BrowserSession {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  private cookieHeader(url: URL): string {
    return [...this.cookies.values()]
      .filter((c) => url.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  private store(setCookie: string | string[] | undefined): void {
    for (const line of typeof setCookie === "string" ? [setCookie] : (setCookie ?? [])) {
      const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      const path = attributes.find((a) => a.toLowerCase().startsWith("path="))?.slice(5) ?? "/";
      const expires = attributes.find((a) => a.toLowerCase().startsWith("expires="))?.slice(8);
      const gone = !value || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (gone) this.cookies.delete(`${name};${path}`);
      else this.cookies.set(`${name};${path}`, { name, value, path });
    }
  }

  hasSession(): boolean {
    return [...this.cookies.values()].some((c) => c.name === "_session");
  }

  async go(start: string, form?: Record<string, string>): Promise<Step> {
    let url = new URL(start);
    let body = form ? new URLSearchParams(form).toString() : undefined;
    for (let hop = 0; hop < 15; hop++) {
      if (url.href.startsWith(REDIRECT_URI)) return { kind: "redirect", params: url.searchParams };
      const headers: Record<string, string> = { cookie: this.cookieHeader(url) };
      if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
      const response = await request(url, {
        dispatcher: agentFor(lab),
        method: body === undefined ? "GET" : "POST",
        headers,
        body: body ?? null,
      });
      this.store(response.headers["set-cookie"]);
      const text = await response.body.text();
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === "string") {
        url = new URL(location, url);
        body = undefined;
        continue;
      }
      // oidc-provider's own auto-submitting form (ending the old session when another account signs in).
      const autoPost = /<title>Submitting Callback<\/title>[\s\S]*<form method="post" action="([^"]+)">/.exec(text);
      if (autoPost?.[1]) {
        const inputs = [...text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)];
        url = new URL(autoPost[1].replace(/&amp;/g, "&"), url);
        body = new URLSearchParams(inputs.map((m) => [m[1] ?? "", m[2] ?? ""])).toString();
        continue;
      }
      return { kind: "page", status: response.statusCode, url: url.href, body: text };
    }
    throw new Error(`too many redirects, last at ${url.href}`);
  }

  /** Submits the sign-in form (the page's last form) or the picker's "Continue as" form. */
  submit(page: Step, form: "login" | "continue", fields: Record<string, string> = {}): Promise<Step> {
    if (page.kind !== "page") throw new Error("no page to submit");
    const action = [...page.body.matchAll(/<form method="post" action="([^"]+)"/g)]
      .map((m) => m[1] ?? "")
      .find((a) => a.endsWith(`/${form}`));
    if (!action) throw new Error(`the page has no ${form} form:\n${page.body.slice(0, 800)}`);
    return this.go(new URL(action, page.url).href, fields);
  }
}

interface Authorization {
  url: string;
  verifier: string;
  state: string;
}

function authorization(params: Record<string, string> = {}): Authorization {
  const verifier = randomBytes(32).toString("base64url");
  const state = randomBytes(8).toString("hex");
  const query = new URLSearchParams({
    client_id: lab.ready.spaClientId,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: `${lab.ready.apiScope} openid profile offline_access`,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    state,
    nonce: randomBytes(8).toString("hex"),
    ...params,
  });
  return { url: `${lab.issuer}/oauth2/authorize?${query.toString()}`, verifier, state };
}

interface Tokens {
  access_token: string;
  id_token: string;
  refresh_token?: string;
}

async function tokenRequest(form: Record<string, string>): Promise<{ status: number; body: Tokens }> {
  const response = await request(`${lab.issuer}/oauth2/token`, {
    dispatcher: agentFor(lab),
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: lab.ready.spaClientId, ...form }).toString(),
  });
  return { status: response.statusCode, body: (await response.body.json()) as Tokens };
}

/** Redeems the code of a finished authorization; fails the test with the step when it did not end in a code. */
async function redeem(auth: Authorization, step: Step): Promise<Tokens> {
  if (step.kind !== "redirect") throw new Error(`expected a redirect with a code, got ${step.url}:\n${step.body}`);
  expect(step.params.get("state")).toBe(auth.state);
  const code = step.params.get("code");
  if (!code) throw new Error(`no code: ${step.params.toString()}`);
  const { status, body } = await tokenRequest({
    grant_type: "authorization_code",
    code,
    code_verifier: auth.verifier,
    redirect_uri: REDIRECT_URI,
  });
  expect(status).toBe(200);
  return body;
}

function emailField(step: Step): string | undefined {
  return step.kind === "page" ? /<input id="email"[^>]* value="([^"]*)"/.exec(step.body)?.[1] : undefined;
}

/** A browser whose lab session belongs to `email` (signed in through the login page). */
async function signedInAs(email: string): Promise<[BrowserSession, Tokens]> {
  const browser = new BrowserSession();
  const auth = authorization({ login_hint: email });
  const page = await browser.go(auth.url);
  const tokens = await redeem(auth, await browser.submit(page, "login", { email, password: USER_PASSWORD }));
  expect(browser.hasSession()).toBe(true);
  return [browser, tokens];
}

describe("Entra prompts and login_hint at the lab's authorization endpoint", () => {
  it("answers prompt=none without a session with login_required at the redirect URI", async () => {
    const auth = authorization({ prompt: "none" });
    const step = await new BrowserSession().go(auth.url);
    expect(step.kind).toBe("redirect");
    if (step.kind !== "redirect") return;
    expect(step.params.get("error")).toBe("login_required");
    expect(step.params.get("state")).toBe(auth.state);
  });

  it("renews silently with prompt=none for the session's account, also when login_hint names it", async () => {
    const [browser] = await signedInAs(USER_A);
    for (const params of [{ prompt: "none" }, { prompt: "none", login_hint: USER_A.toUpperCase() }]) {
      const auth = authorization(params);
      const tokens = await redeem(auth, await browser.go(auth.url));
      expect(decodeJwt(tokens.access_token).preferred_username).toBe(USER_A);
    }
  });

  it("answers prompt=none with login_required when login_hint names another account than the session's", async () => {
    const [browser] = await signedInAs(USER_A);
    const step = await browser.go(authorization({ prompt: "none", login_hint: USER_B }).url);
    expect(step.kind === "redirect" && step.params.get("error")).toBe("login_required");
  });

  it("asks for credentials with prompt=login even for the session's own account", async () => {
    const [browser] = await signedInAs(USER_A);
    const step = await browser.go(authorization({ prompt: "login", login_hint: USER_A }).url);
    expect(step.kind === "page" && step.status).toBe(200);
    expect(emailField(step)).toBe(USER_A);
  });

  it("shows the sign-in page for another account named by login_hint, then switches the session to it while the first account's refresh token keeps working", async () => {
    const [browser, tokensA] = await signedInAs(USER_A);
    const auth = authorization({ login_hint: USER_B });
    const page = await browser.go(auth.url);
    expect(emailField(page)).toBe(USER_B);
    const tokensB = await redeem(auth, await browser.submit(page, "login", { email: USER_B, password: USER_PASSWORD }));
    expect(decodeJwt(tokensB.access_token).preferred_username).toBe(USER_B);
    expect(decodeJwt(tokensB.id_token).preferred_username).toBe(USER_B);

    // The session now belongs to B: a silent request without a hint answers for B.
    const silent = authorization({ prompt: "none" });
    expect(decodeJwt((await redeem(silent, await browser.go(silent.url))).access_token).preferred_username).toBe(
      USER_B,
    );
    // A's refresh token outlives A's browser session, as Entra's do (MSAL names offline_access again).
    expect(tokensA.refresh_token).toBeTruthy();
    const renewed = await tokenRequest({
      grant_type: "refresh_token",
      refresh_token: tokensA.refresh_token ?? "",
      scope: `${lab.ready.apiScope} openid profile offline_access`,
    });
    expect(renewed.status).toBe(200);
    expect(decodeJwt(renewed.body.access_token).preferred_username).toBe(USER_A);
  });

  it("accepts prompt=select_account without a session: the sign-in page with login_hint prefilled", async () => {
    const browser = new BrowserSession();
    const auth = authorization({ prompt: "select_account", login_hint: USER_B });
    const page = await browser.go(auth.url);
    expect(page.kind === "page" && page.status).toBe(200);
    expect(emailField(page)).toBe(USER_B);
    expect(page.kind === "page" && page.body).not.toContain("Continue as");
    const tokens = await redeem(auth, await browser.submit(page, "login", { email: USER_B, password: USER_PASSWORD }));
    expect(decodeJwt(tokens.access_token).preferred_username).toBe(USER_B);
  });

  it("offers the session's account in the prompt=select_account picker, and another account through the form", async () => {
    const [browser] = await signedInAs(USER_A);
    const keep = authorization({ prompt: "select_account" });
    const picker = await browser.go(keep.url);
    expect(picker.kind === "page" && picker.body).toContain(`Continue as Megan Bowen (${USER_A})`);
    const kept = await redeem(keep, await browser.submit(picker, "continue"));
    expect(decodeJwt(kept.access_token).preferred_username).toBe(USER_A);

    const change = authorization({ prompt: "select_account" });
    const again = await browser.go(change.url);
    const other = await redeem(
      change,
      await browser.submit(again, "login", { email: USER_B, password: USER_PASSWORD }),
    );
    expect(decodeJwt(other.access_token).preferred_username).toBe(USER_B);
  });

  it("does not offer the session's account in the picker when login_hint names another one", async () => {
    const [browser] = await signedInAs(USER_A);
    const page = await browser.go(authorization({ prompt: "select_account", login_hint: USER_B }).url);
    expect(page.kind === "page" && page.body).not.toContain("Continue as");
    expect(emailField(page)).toBe(USER_B);
    // Posting "continue" anyway does not sign the session's account in.
    const refused = await browser.go(`${page.kind === "page" ? page.url : ""}/continue`, {});
    expect(refused.kind === "page" && refused.status).toBe(400);
  });

  it("accepts prompt=consent: consent is implied in the lab, so a session gets its code without a page", async () => {
    const [browser] = await signedInAs(USER_A);
    const auth = authorization({ prompt: "consent" });
    const tokens = await redeem(auth, await browser.go(auth.url));
    expect(decodeJwt(tokens.access_token).preferred_username).toBe(USER_A);
    expect(tokens.refresh_token).toBeTruthy();
  });

  it("still refuses a prompt value Entra does not know", async () => {
    const step = await new BrowserSession().go(authorization({ prompt: "bogus" }).url);
    expect(step.kind === "redirect" && step.params.get("error")).toBe("invalid_request");
  });
});
