/**
 * The lab's sign-in page (the interaction step of the authorization flow): an accessible form that accepts the
 * scenario's users and service accounts with their passwords, prefilled from login_hint; for prompt=select_account
 * with a session, an account picker that also offers "Continue as" the signed-in account.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import type { Directory } from "../directory.js";
import { readBody } from "../http.js";

function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface PageOptions {
  action: string;
  email: string;
  clientName: string;
  error?: string;
  /** prompt=select_account with a session: Entra's account picker offers the signed-in account first. */
  signedIn?: { action: string; email: string; displayName: string };
}

function loginPage({ action, email, clientName, error, signedIn }: PageOptions): string {
  const alert = error ? `<p id="error" role="alert" class="error">${escapeHtml(error)}</p>` : "";
  const picker = signedIn
    ? `<h2>Signed in</h2>
<form method="post" action="${escapeHtml(signedIn.action)}">
<button type="submit" id="continue">Continue as ${escapeHtml(signedIn.displayName)} (${escapeHtml(signedIn.email)})</button>
</form>
<h2>Use another account</h2>`
    : "";
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${signedIn ? "Pick an account" : "Sign in"} – Exchange lab</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label{display:block;margin-top:1rem}
input{display:block;width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem}
.error{color:#a4262c;font-weight:600}</style></head>
<body><main>
<h1>${signedIn ? "Pick an account" : "Sign in"}</h1>
<p>to continue to ${escapeHtml(clientName)} (Exchange lab identity provider)</p>
${alert}${picker}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
<label for="email">Email address</label>
<input id="email" name="email" type="email" required value="${escapeHtml(email)}" ${error ? 'aria-describedby="error"' : ""}>
<label for="password">Password</label>
<input id="password" name="password" type="password" required ${email ? "autofocus" : ""}>
<button type="submit">Sign in</button>
</form>
</main></body></html>`;
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    // No form-action: Chromium applies it to the redirect chain that ends at the client's redirect URI.
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(body);
}

/** `inner` is the path below the mount: /interaction/{uid}, /interaction/{uid}/login or /interaction/{uid}/continue. */
export async function handleInteraction(
  provider: Provider,
  directory: Directory,
  req: IncomingMessage,
  res: ServerResponse,
  inner: string,
): Promise<void> {
  const match = /^\/interaction\/([\w-]+)(?:\/(login|continue))?$/.exec(inner.split("?")[0] ?? "");
  if (!match?.[1]) {
    html(res, 404, "<!doctype html><title>Not found</title><p>Unknown sign-in step.</p>");
    return;
  }
  const step = match[2];
  // Absolute actions: after a refused attempt the page's own URL already ends in /login.
  const base = (req.url ?? "").split("?")[0]?.replace(/\/(login|continue)$/, "") ?? "";
  const action = `${base}/login`;
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    html(
      res,
      400,
      `<!doctype html><html lang="en"><title>Sign-in expired</title><main><h1>Sign-in expired</h1><p role="alert">This sign-in session has expired or its cookie is missing. Start again from the application.</p></main></html>`,
    );
    return;
  }
  const clientId = typeof details.params.client_id === "string" ? details.params.client_id : "";
  const client = await provider.Client.find(clientId);
  const clientName = client?.clientName ?? clientId;
  const hint = typeof details.params.login_hint === "string" ? details.params.login_hint : "";
  const prompt = details.prompt.name;
  if (prompt !== "login" && prompt !== "select_account") {
    // Consent is implied in the lab (loadExistingGrant issues a grant for what was asked): finish it unseen.
    await provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
    return;
  }
  // The account picker offers the session's account unless the hint names another one.
  const current = details.session ? directory.byOid.get(details.session.accountId) : undefined;
  const signedIn =
    prompt === "select_account" && current && (!hint || directory.find(hint.trim()) === current)
      ? { action: `${base}/continue`, email: current.email, displayName: current.displayName }
      : undefined;
  const page = (email: string, error?: string): string =>
    loginPage({ action, email, clientName, ...(error ? { error } : {}), ...(signedIn ? { signedIn } : {}) });

  if (req.method === "GET" && !step) {
    html(res, 200, page(hint));
    return;
  }
  if (req.method !== "POST" || !step) {
    html(res, 405, "<!doctype html><title>Method not allowed</title>");
    return;
  }
  if (step === "continue") {
    if (!signedIn) {
      html(res, 400, page(hint, "There is no signed-in account to continue with. Sign in instead."));
      return;
    }
    await provider.interactionFinished(req, res, { select_account: {} }, { mergeWithLastSubmission: true });
    return;
  }
  const form = new URLSearchParams(await readBody(req, 64 * 1024));
  const email = (form.get("email") ?? "").trim().toLowerCase();
  const account = directory.checkPassword(email, form.get("password") ?? "");
  if (!account) {
    html(res, 401, page(email, "That email address and password do not match an account of this organization."));
    return;
  }
  // Another account than the session's: oidc-provider ends the old session (its refresh tokens stay valid) first.
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: account.oid }, ...(prompt === "select_account" ? { select_account: {} } : {}) },
    { mergeWithLastSubmission: false },
  );
}
