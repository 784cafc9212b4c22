/** The lab's front page: what a developer sees when the README sends them to https://localhost:4443 once. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent, fetch } from "undici";
import { startLab, type Lab } from "../../../src/lab/index.js";
import { servicePrincipalObjectId } from "../../../src/lab/landing.js";

let lab: Lab;
let dispatcher: Agent;

beforeAll(async () => {
  lab = await startLab({ port: 0, paneUrl: "https://localhost:3000/taskpane.html" });
  dispatcher = new Agent({ connect: { ca: lab.caCertPem } });
});

afterAll(async () => {
  await dispatcher?.close();
  await lab?.close();
});

describe("the lab's front page", () => {
  it("lists every user and service account with its password, the endpoints, the CA and the pane", async () => {
    const response = await fetch(`${lab.baseUrl}/`, { dispatcher });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await response.text();
    for (const user of lab.scenario.users) expect(html).toContain(`<td>${user.email}</td>`);
    // Passwords and secrets never break inside at 320 px (a split password is copied wrong).
    for (const account of lab.scenario.serviceAccounts) {
      expect(html).toContain(`<td class="whole">${account.password}</td>`);
    }
    for (const user of lab.scenario.users) expect(html).toContain(`<td class="whole">${user.password}</td>`);
    for (const app of lab.scenario.apps.appOnly) {
      if (app.secret) expect(html).toContain(`<td class="whole">${app.secret}</td>`);
    }
    expect(html).toContain(`<td>${lab.issuer}/.well-known/openid-configuration</td>`);
    expect(html).toContain(`https://mail.contoso.lab:${lab.port}/EWS/Exchange.asmx`);
    expect(html).toContain('href="/lab/ca.pem"');
    expect(html).toContain('href="https://localhost:3000/taskpane.html#/admin"');
    // What checking each user answers, from the same expectations the product tests use.
    expect(html).toContain("<td>ErrorNonPrimarySmtpAddress (primary: lynne.robbins@contoso.lab)</td>");
  });

  it("names each section once, offers the app's object ID, defaults the refresh select to ok and has an icon", async () => {
    const html = await (await fetch(`${lab.baseUrl}/`, { dispatcher })).text();
    expect(html.match(/>Endpoints</g)).toHaveLength(1);
    const app = lab.scenario.apps.appOnly[0]!;
    expect(html).toContain(`<td>${servicePrincipalObjectId(lab.scenario.tenantId, app.clientId)}</td>`);
    expect(servicePrincipalObjectId(lab.scenario.tenantId, app.clientId)).toMatch(/^[0-9a-f-]{36}$/);
    const refresh = /<select name="refresh">(.*?)<\/select>/.exec(html)?.[1] ?? "";
    expect(refresh.indexOf("<option>ok</option>")).toBe(0);
    expect(html).toContain('<link rel="icon" href="/favicon.ico">');
    const icon = await fetch(`${lab.baseUrl}/favicon.ico`, { dispatcher });
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/x-icon");
    const bytes = Buffer.from(await icon.arrayBuffer());
    expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
  });

  it("shows what a front-page form changed after its redirect to /?done=, escaped", async () => {
    const none = await (await fetch(`${lab.baseUrl}/`, { dispatcher })).text();
    expect(none).not.toContain('class="done"');
    const done = encodeURIComponent("svc-sync@contoso.lab: password changed <b>");
    const html = await (await fetch(`${lab.baseUrl}/?done=${done}`, { dispatcher })).text();
    expect(html).toContain('<p class="done" role="status">Done: svc-sync@contoso.lab: password changed &lt;b&gt;.</p>');
  });

  it("escapes scenario text and stays a 404 for paths it does not serve", async () => {
    const scenario = structuredClone(lab.scenario);
    scenario.users[0]!.displayName = '<img src=x onerror="alert(1)">';
    const other = await startLab({ port: 0, scenario });
    try {
      const html = await (await fetch(`${other.baseUrl}/`, { dispatcher })).text();
      expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
      expect(html).not.toContain("<img");
      const missing = await fetch(`${other.baseUrl}/nothing-here`, { dispatcher });
      expect(missing.status).toBe(404);
    } finally {
      await other.close();
    }
  });
});
