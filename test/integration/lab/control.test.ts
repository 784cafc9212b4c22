/**
 * The lab while it runs: its SMTP mail catcher (GET /lab/mail and the front page) and the control endpoint that
 * stages a failure (a user's mailbox, an account's password, revoked refresh tokens) for loopback callers and the
 * lab's own front page only.
 */
import nodemailer from "nodemailer";
import { Agent, fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SCENARIO_FILE, loadScenarioFile, startLab, type Lab } from "../../../src/lab/index.js";

let lab: Lab;
let dispatcher: Agent;

beforeAll(async () => {
  // Basic authentication on, so a password is one request to try.
  lab = await startLab({ port: 0, scenario: { ...(await loadScenarioFile(DEMO_SCENARIO_FILE)), ewsAuth: ["basic"] } });
  dispatcher = new Agent({ connect: { ca: lab.caCertPem } });
});

afterAll(async () => {
  await dispatcher?.close();
  await lab?.close();
});

const control = (body: string, headers: Record<string, string>) =>
  fetch(`${lab.baseUrl}/lab/control`, { method: "POST", headers, body, dispatcher, redirect: "manual" });

const ews = (password: string) =>
  fetch(lab.ewsUrl, {
    method: "POST",
    headers: {
      "content-type": "text/xml; charset=utf-8",
      authorization: `Basic ${Buffer.from(`svc-sync@contoso.lab:${password}`).toString("base64")}`,
    },
    body: '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>',
    dispatcher,
  });

describe("the lab's mail catcher", () => {
  it("keeps mail sent to its SMTP port and lists it at /lab/mail and on the front page", async () => {
    expect(lab.ready.smtpPort).toBe(lab.smtpPort);
    const empty = (await (await fetch(`${lab.baseUrl}/lab/mail`, { dispatcher })).json()) as { messages: unknown[] };
    expect(empty.messages).toEqual([]);

    const transport = nodemailer.createTransport({ host: lab.ready.smtpHost, port: lab.smtpPort, secure: false });
    await transport.sendMail({
      from: "monitoring@contoso.lab",
      to: "it-alerts@contoso.lab",
      subject: "[Sync Sidebar] Alert: Contoso – 40% failing",
      text: "Line one\nA long line ".repeat(20),
    });
    transport.close();

    const listed = (await (await fetch(`${lab.baseUrl}/lab/mail`, { dispatcher })).json()) as {
      messages: Array<{ from: string; to: string[]; subject: string; text: string }>;
    };
    expect(listed.messages).toHaveLength(1);
    expect(listed.messages[0]).toMatchObject({
      from: "monitoring@contoso.lab",
      to: ["it-alerts@contoso.lab"],
      subject: "[Sync Sidebar] Alert: Contoso – 40% failing",
    });
    expect(listed.messages[0]?.text).toContain("Line one\nA long line Line one");
    const html = await (await fetch(`${lab.baseUrl}/`, { dispatcher })).text();
    expect(html).toContain("<td>[Sync Sidebar] Alert: Contoso – 40% failing</td>");
    expect(html).toContain(`127.0.0.1:${lab.smtpPort}`);
  });
});

describe("the lab's control endpoint", () => {
  it("changes an account's password while the lab runs, and back", async () => {
    const password = lab.scenario.serviceAccounts[0]!.password;
    expect((await ews("Changed-1!")).status).toBe(401);
    const changed = await control(
      JSON.stringify({ action: "password", account: "svc-sync@contoso.lab", password: "Changed-1!" }),
      { "content-type": "application/json" },
    );
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual({ done: "svc-sync@contoso.lab: password changed" });
    expect((await ews(password)).status).toBe(401);
    expect((await ews("Changed-1!")).status).not.toBe(401);
    await control(JSON.stringify({ action: "password", account: "svc-sync@contoso.lab", password }), {
      "content-type": "application/json",
    });
    expect((await ews(password)).status).not.toBe(401);
  });

  it("takes the front page's form, shows the change there, and refuses forms from other sites", async () => {
    const user = lab.scenario.users.find((candidate) => candidate.mailbox === "ok")!.email;
    const form = new URLSearchParams({ action: "mailbox", user, state: "disabled" }).toString();
    const foreign = await control(form, {
      "content-type": "application/x-www-form-urlencoded",
      origin: "https://evil.example",
    });
    expect(foreign.status).toBe(403);
    const own = await control(form, { "content-type": "application/x-www-form-urlencoded", origin: lab.baseUrl });
    expect(own.status).toBe(303);
    // The redirect carries what changed, and the front page shows it.
    const location = own.headers.get("location") ?? "";
    const confirmed = await (await fetch(`${lab.baseUrl}${location}`, { dispatcher })).text();
    expect(confirmed).toContain(`Done: ${user}: mailbox is now disabled.`);
    const html = await (await fetch(`${lab.baseUrl}/`, { dispatcher })).text();
    expect(html).toMatch(
      new RegExp(`<td>${user.replace(/\./g, "\\.")}</td><td>[^<]*</td><td[^>]*>[^<]*</td><td>disabled</td>`),
    );
    expect(html).toContain('<form method="post" action="/lab/control">');
  });

  it("answers 400 naming what is wrong, and 415 to a body that is neither JSON nor a form", async () => {
    const json = { "content-type": "application/json" };
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ action: "explode" }, /action must be/],
      [{ action: "mailbox", user: "nobody@contoso.lab", state: "ok" }, /no user or service account/],
      [{ action: "mailbox", user: "alex.wilber@contoso.lab", state: "on fire" }, /state must be one of/],
      [{ action: "refresh", account: "svc-sync@contoso.lab", refresh: "maybe" }, /refresh must be ok or revoked/],
    ];
    for (const [body, message] of cases) {
      const refused = await control(JSON.stringify(body), json);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(((await refused.json()) as { message: string }).message).toMatch(message);
    }
    expect((await control("action=mailbox", { "content-type": "text/plain" })).status).toBe(415);
    const revoked = await control(
      JSON.stringify({ action: "refresh", account: "svc-sync@contoso.lab", refresh: "revoked" }),
      json,
    );
    expect(await revoked.json()).toEqual({ done: "svc-sync@contoso.lab: refresh tokens revoked" });
  });
});
