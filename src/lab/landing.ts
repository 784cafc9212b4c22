/**
 * The lab's front page (GET /): what this server is, who can sign in with which password, the endpoints it plays,
 * its CA and a link to the pane. A developer opens it once to accept the lab's certificate, so it must say enough
 * to carry on from there. Everything on it is the scenario's own lab data: nothing here is a real secret.
 */
import type { ServerResponse } from "node:http";
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
}

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

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

function table(caption: string, head: string[], rows: string[][]): string {
  const th = head.map((cell) => `<th scope="col">${escapeHtml(cell)}</th>`).join("");
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${cell === "" ? "" : escapeHtml(cell)}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
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
${form(`<label>Account <select name="account">${accounts}</select></label> <label>Refresh tokens <select name="refresh"><option>revoked</option><option>ok</option></select></label>`, "refresh", "Set refresh tokens")}`;
}

export function landingPage(scenario: Scenario, endpoints: LandingEndpoints, live: LandingLive = { mail: [] }): string {
  const firstAccount = scenario.serviceAccounts[0]?.email ?? "the service account";
  const users = table(
    `Users (${scenario.users.length}); the last column is what checking them through ${firstAccount} answers`,
    ["Email", "Display name", "Password", "Mailbox", "Check through the service account"],
    scenario.users.map((user) => [
      user.email,
      user.displayName,
      user.password,
      user.mailbox,
      expectedAnswer(scenario, user.email),
    ]),
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
  );
  const apps = table(
    "App-only registrations (Microsoft 365 OAuth (Graph) – App-only)",
    ["Name", "Client ID", "Secret", "Application permissions"],
    scenario.apps.appOnly.map((app) => [
      app.displayName,
      app.clientId,
      app.secret ?? "(certificate)",
      Object.values(app.roles).flat().join(", "),
    ]),
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
  code { background: #f5f5f5; padding: 0 3px; } a { color: #0f6cbd; } p { overflow-wrap: anywhere; }
</style>
</head>
<body>
<main>
<h1>Exchange lab: ${escapeHtml(scenario.domain)}</h1>
<p>A stand-in for Microsoft's side, for development and tests only: it plays ${
    scenario.mode === "onprem" ? "an on-premises Exchange server" : "Exchange Online and Microsoft Entra ID"
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
  "Endpoints",
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
