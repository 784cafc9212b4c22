/**
 * The lab's front page (GET /): what this server is, who can sign in with which password, the endpoints it plays,
 * its CA and a link to the pane. A developer opens it once to accept the lab's certificate, so it must say enough
 * to carry on from there. Everything on it is the scenario's own lab data: nothing here is a real secret.
 */
import type { ServerResponse } from "node:http";
import { objectIdFor } from "./directory.js";
import { expectedEwsOutcome } from "./expectations.js";
import { send } from "./http.js";
import type { CaughtMail } from "./mail.js";
import { MAILBOX_STATES, type Scenario } from "./scenario.js";

export interface LandingEndpoints {
  baseUrl: string;
  /** The EWS URL as the product reaches it (the scenario's own host, mapped to the lab by host overrides). */
  productEwsUrl: string;
  issuer: string;
  graphBase: string;
  /** Where the pane runs, when the lab knows (npm start passes it). */
  paneUrl: string | null;
  /** The mail catcher's host:port. */
  smtp: string;
}

/** What changes while the lab runs. */
export interface LandingLive {
  mail: readonly CaughtMail[];
  /** What the last form on this page changed (the control endpoint redirects to `/?done=…`). */
  done?: string | null;
}

/** The `?done=` confirmation of a front-page form, if the URL carries one. */
export function doneOf(url: string): string | null {
  const query = url.split("?")[1];
  if (query === undefined) return null;
  const done = new URLSearchParams(query).get("done");
  return done === null || done.trim() === "" ? null : done.slice(0, 300);
}

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/**
 * The object ID of an app's service principal (its enterprise application), which the RBAC for Applications script
 * needs: derived from the tenant and client ID, so it is the same on every start of the lab.
 */
export function servicePrincipalObjectId(tenantId: string, clientId: string): string {
  return objectIdFor(tenantId, `serviceprincipal:${clientId}`);
}

/** What a check of `user` through the first service account returns, in the EWS words the lab answers with. */
function expectedAnswer(scenario: Scenario, user: string): string {
  const account = scenario.serviceAccounts[0];
  if (!account) return "";
  // What a client that picks the best method this server offers (NTLM before Basic) is answered.
  const kind = scenario.ewsAuth.includes("ntlm") ? "ntlm" : "basic";
  const outcome = expectedEwsOutcome(scenario, { kind, serviceAccount: account.email }, user);
  if (outcome.responseCode)
    return outcome.primarySmtpAddress
      ? `${outcome.responseCode} (primary: ${outcome.primarySmtpAddress})`
      : outcome.responseCode;
  return `HTTP ${outcome.httpStatus}`;
}

/**
 * A table; `whole` lists the columns whose values must not break inside (passwords, secrets: a password split
 * across two lines at 320 px is copied wrong). A null caption leaves it to the heading above.
 */
function table(caption: string | null, head: string[], rows: string[][], whole: readonly number[] = []): string {
  const th = head.map((cell) => `<th scope="col">${escapeHtml(cell)}</th>`).join("");
  const td = (cell: string, column: number) =>
    `<td${whole.includes(column) ? ' class="whole"' : ""}>${cell === "" ? "" : escapeHtml(cell)}</td>`;
  const body = rows.map((row) => `<tr>${row.map(td).join("")}</tr>`).join("\n");
  const captionHtml = caption === null ? "" : `<caption>${escapeHtml(caption)}</caption>`;
  return `<table>${captionHtml}<thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

const link = (href: string, text = href): string => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;

const SHOWN_MAIL = 20;

function mailSection(mail: readonly CaughtMail[], smtp: string): string {
  const intro = `<p>The lab catches mail sent to its SMTP server at <code>${escapeHtml(smtp)}</code> (no TLS, no sign-in); ${link(
    "/lab/mail",
    "the same list as JSON",
  )}.</p>`;
  if (mail.length === 0) return `${intro}<p>No mail received yet.</p>`;
  return `${intro}${table(
    `Received mail (newest first${mail.length > SHOWN_MAIL ? `, ${SHOWN_MAIL} of ${mail.length}` : ""})`,
    ["Received", "From", "To", "Subject", "Text"],
    mail
      .slice(0, SHOWN_MAIL)
      .map((message) => [
        message.receivedAt,
        message.from,
        message.to.join(", "),
        message.subject,
        message.text.slice(0, 500),
      ]),
  )}`;
}

function controlForms(scenario: Scenario): string {
  const option = (value: string) => `<option>${escapeHtml(value)}</option>`;
  const users = scenario.users.map((user) => option(user.email)).join("");
  const accounts = [...scenario.serviceAccounts, ...scenario.users].map((entry) => option(entry.email)).join("");
  const states = MAILBOX_STATES.map(option).join("");
  const form = (fields: string, action: string, label: string) =>
    `<form method="post" action="/lab/control"><input type="hidden" name="action" value="${action}">${fields} <button type="submit">${escapeHtml(label)}</button></form>`;
  return `<p>Stage a failure while the lab runs, then fix it again (also <code>POST /lab/control</code> with JSON, loopback only).</p>
${form(`<label>User <select name="user">${users}</select></label> <label>Mailbox <select name="state">${states}</select></label>`, "mailbox", "Set mailbox state")}
${form(`<label>Account <select name="account">${accounts}</select></label> <label>New password <input name="password" required></label>`, "password", "Change password")}
${form(`<label>Account <select name="account">${accounts}</select></label> <label>Refresh tokens <select name="refresh"><option>ok</option><option>revoked</option></select></label>`, "refresh", "Set refresh tokens")}${
    scenario.hybrid === undefined
      ? ""
      : `\n${form(`<label>User <select name="user">${users}</select></label> <label>To <select name="to"><option value="cloud">Exchange Online</option><option value="onprem">on-premises</option></select></label> <label>Stage <select name="stage"><option value="complete">completed</option><option value="start">in progress</option></select></label>`, "move", "Move mailbox")}`
  }`;
}

export function landingPage(scenario: Scenario, endpoints: LandingEndpoints, live: LandingLive = { mail: [] }): string {
  const firstAccount = scenario.serviceAccounts[0]?.email ?? "the service account";
  const hybrid = scenario.hybrid !== undefined;
  const users = table(
    `Users (${scenario.users.length}); the last column is what checking them through ${firstAccount} answers`,
    [
      "Email",
      "Display name",
      "Password",
      "Mailbox",
      ...(hybrid ? ["Lives in"] : []),
      "Check through the service account",
    ],
    scenario.users.map((user) => [
      user.email,
      user.displayName,
      user.password,
      user.mailbox,
      ...(hybrid
        ? [`${user.location === "cloud" ? "Exchange Online" : "on-premises"}${user.synced ? " (synced)" : ""}`]
        : []),
      expectedAnswer(scenario, user.email),
    ]),
    [2],
  );
  const accounts = table(
    "Service accounts (Account Logon and Password in Email Configuration)",
    ["Account", "Password", "May impersonate", "Has a mailbox"],
    scenario.serviceAccounts.map((account) => [
      account.email,
      account.password,
      typeof account.impersonation === "string" ? account.impersonation : account.impersonation.join(", "),
      account.hasMailbox ? "yes" : "no",
    ]),
    [1],
  );
  const apps = table(
    "App-only registrations (Microsoft 365 OAuth (Graph) – App-only)",
    ["Name", "Client ID", "Service principal object ID", "Secret", "Application permissions"],
    scenario.apps.appOnly.map((app) => [
      app.displayName,
      app.clientId,
      servicePrincipalObjectId(scenario.tenantId, app.clientId),
      app.secret ?? "(certificate)",
      Object.values(app.roles).flat().join(", "),
    ]),
    [3],
  );
  const endpointRows: Array<[string, string]> = [
    ["EWS (as the product reaches it)", endpoints.productEwsUrl],
    ["EWS (direct)", `${endpoints.baseUrl}/EWS/Exchange.asmx`],
    ["Autodiscover (POX)", `${endpoints.baseUrl}/autodiscover/autodiscover.xml`],
    ["Microsoft Graph", endpoints.graphBase],
    ["OpenID Connect discovery", `${endpoints.issuer}/.well-known/openid-configuration`],
    ["Ready line (JSON)", `${endpoints.baseUrl}/lab/ready`],
    ["Mail catcher (SMTP)", endpoints.smtp],
    ["Received mail (JSON)", `${endpoints.baseUrl}/lab/mail`],
  ];
  const pane = endpoints.paneUrl
    ? `<p>The pane: ${link(endpoints.paneUrl)} (admin settings: ${link(`${endpoints.paneUrl}#/admin`)}).</p>`
    : "<p>The pane runs separately (with <code>npm start</code>: https://localhost:3000/taskpane.html).</p>";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Exchange lab: ${escapeHtml(scenario.domain)}</title>
<style>
  body { font: 14px/1.45 "Segoe UI", system-ui, sans-serif; margin: 0 auto; padding: 16px; max-width: 1100px; color: #242424; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 8px; display: block; overflow-x: auto; }
  caption { text-align: left; font-weight: 600; padding: 4px 0; }
  th, td { text-align: left; padding: 4px 10px 4px 0; border-bottom: 1px solid #e0e0e0; vertical-align: top; overflow-wrap: anywhere; }
  td.whole { white-space: nowrap; overflow-wrap: normal; }
  code { background: #f5f5f5; padding: 0 3px; } a { color: #0f6cbd; } p { overflow-wrap: anywhere; }
  .done { background: #f1faf1; border: 1px solid #9fd89f; padding: 8px 12px; border-radius: 4px; }
</style>
<link rel="icon" href="/favicon.ico">
</head>
<body>
<main>
<h1>Exchange lab: ${escapeHtml(scenario.domain)}</h1>
${live.done ? `<p class="done" role="status">Done: ${escapeHtml(live.done)}.</p>` : ""}
<p>A stand-in for Microsoft's side, for development and tests only: it plays ${
    scenario.hybrid !== undefined
      ? "a hybrid organization: an on-premises Exchange server and Exchange Online with Microsoft Entra ID"
      : scenario.mode === "onprem"
        ? "an on-premises Exchange server"
        : "Exchange Online and Microsoft Entra ID"
  } (EWS, Autodiscover, Microsoft Graph) and an identity provider for the organization
<strong>${escapeHtml(scenario.domain)}</strong> (scenario <code>${escapeHtml(scenario.name)}</code>, tenant
<code>${escapeHtml(scenario.tenantId)}</code>). Its passwords below are lab data, not secrets.</p>
<p>Your browser trusts this page now; to trust the lab everywhere, install its CA: ${link("/lab/ca.pem", "download ca.pem")}.</p>
${pane}
<h2>Who signs in</h2>
${users}
<h2>What the admin enters</h2>
${accounts}
${apps}
<h2>Mail</h2>
${mailSection(live.mail, endpoints.smtp)}
<h2>Change the lab while it runs</h2>
${controlForms(scenario)}
<h2>Endpoints</h2>
${table(
  null,
  ["What", "URL"],
  endpointRows.map(([what, url]) => [what, url]),
)}
</main>
</body>
</html>
`;
}

export function sendLandingPage(res: ServerResponse, html: string): void {
  send(res, 200, html, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'",
    "cache-control": "no-store",
  });
}

/**
 * The lab's icon: a 16×16 ICO (one 32-bit bitmap, no PNG inside), drawn here so the lab needs no asset file and a
 * browser's request for /favicon.ico is not a 404 in its console.
 */
function faviconIco(): Buffer {
  const size = 16;
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      // An "E" in white on the Office blue; bitmap rows run bottom-up.
      const row = size - 1 - y;
      const stem = x >= 4 && x <= 5 && row >= 3 && row <= 12;
      const bar = x >= 4 && x <= 11 && (row === 3 || row === 4 || row === 7 || row === 8 || row === 11 || row === 12);
      const white = stem || (bar && !(x > 9 && (row === 7 || row === 8)));
      const offset = (y * size + x) * 4;
      pixels.writeUInt32LE(white ? 0xffffffff : 0xffbd6c0f, offset); // BGRA little-endian: 0f6cbd
    }
  }
  const mask = Buffer.alloc(size * 4); // AND mask, rows padded to 32 bits: all opaque
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0);
  info.writeInt32LE(size, 4);
  info.writeInt32LE(size * 2, 8); // the height counts the XOR and AND bitmaps
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(32, 14);
  info.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([info, pixels, mask]);
  header.writeUInt8(size, 6);
  header.writeUInt8(size, 7);
  header.writeUInt16LE(1, 10); // planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(image.length, 14);
  header.writeUInt32LE(header.length, 18);
  return Buffer.concat([header, image]);
}

const FAVICON = faviconIco();

export function sendFavicon(res: ServerResponse): void {
  res.writeHead(200, {
    "content-type": "image/x-icon",
    "content-length": FAVICON.length,
    "cache-control": "max-age=86400",
  });
  res.end(FAVICON);
}
