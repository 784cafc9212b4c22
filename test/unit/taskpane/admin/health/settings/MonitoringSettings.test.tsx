import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { MonitoringSettings } from "../../../../../../src/taskpane/admin/health/settings/MonitoringSettings";
import { FakeBackend, me, problem, renderWithSession } from "../../harness";
import { alertSettings, BASE, channels, schedule } from "../../monitoringFixtures";

function backend(options: { hasSecret?: boolean } = {}) {
  return new FakeBackend()
    .on("GET /api/me", { body: me() })
    .on(`GET ${BASE}/schedule`, { body: schedule() })
    .on(`GET ${BASE}/alerts`, { body: alertSettings() })
    .on(`GET ${BASE}/channels`, {
      body: channels(options.hasSecret ? { webhookUrl: "https://hooks.contoso.test/alerts", hasSecret: true } : {}),
    })
    .on(`GET ${BASE}/deliveries`, { body: { items: [], nextCursor: null } });
}

function form(name: string): HTMLElement {
  return screen.getByRole("form", { name });
}

describe("Monitoring settings", () => {
  it("refuses an out-of-range schedule before sending it, then shows the server's field error at its field", async () => {
    const server = backend();
    renderWithSession(<MonitoringSettings orgId="org-1" />, server);
    await screen.findByRole("form", { name: "Schedule" });
    const schedulePanel = form("Schedule");

    await userEvent.click(within(schedulePanel).getByRole("radio", { name: "Every few hours" }));
    const hours = within(schedulePanel).getByRole("spinbutton", { name: /Every \(hours\)/ });
    await userEvent.clear(hours);
    await userEvent.type(hours, "200");
    await userEvent.click(within(schedulePanel).getByRole("button", { name: "Save schedule" }));

    expect(await within(schedulePanel).findByText("Enter a whole number from 1 to 168.")).toBeInTheDocument();
    expect(server.sent(`PUT ${BASE}/schedule`)).toHaveLength(0);

    server.on(
      `PUT ${BASE}/schedule`,
      problem(400, "The schedule is not valid.", [{ field: "timeZone", message: "is not a known IANA time zone" }]),
    );
    await userEvent.click(within(schedulePanel).getByRole("radio", { name: "Daily at a time" }));
    await userEvent.click(within(schedulePanel).getByRole("button", { name: "Save schedule" }));

    const zone = await within(schedulePanel).findByRole("combobox", { name: /Time zone/ });
    await waitFor(() => expect(zone).toHaveAccessibleDescription(/is not a known IANA time zone/));
    expect(server.sent(`PUT ${BASE}/schedule`)[0]?.body).toEqual({
      mode: "daily",
      time: "06:00",
      timeZone: "UTC",
      recheckAfterChange: true,
      settlingMinutes: 120,
      historyDays: 90,
    });
  });

  it("saves a daily schedule and shows when the next run starts", async () => {
    const server = backend().on(`PUT ${BASE}/schedule`, (request) => ({
      body: schedule({ ...(request.body as object), nextRunAt: "2026-12-03T06:00:00.000Z" }),
    }));
    renderWithSession(<MonitoringSettings orgId="org-1" />, server);
    const schedulePanel = await screen.findByRole("form", { name: "Schedule" });

    await userEvent.click(within(schedulePanel).getByRole("radio", { name: "Daily at a time" }));
    const settling = within(schedulePanel).getByRole("spinbutton", { name: /Settling time/ });
    await userEvent.clear(settling);
    await userEvent.type(settling, "30");
    await userEvent.click(within(schedulePanel).getByRole("button", { name: "Save schedule" }));

    expect(await within(schedulePanel).findByText("Schedule saved.")).toBeInTheDocument();
    expect(within(schedulePanel).getByText(/Next scheduled run/)).toBeInTheDocument();
    expect(server.sent(`PUT ${BASE}/schedule`)[0]?.body).toMatchObject({ mode: "daily", settlingMinutes: 30 });
  });

  it("saves each alert rule on or off with its threshold, refusing a threshold out of range", async () => {
    const server = backend().on(`PUT ${BASE}/alerts`, (request) => ({
      body: alertSettings({ rules: request.body as ReturnType<typeof alertSettings>["rules"] }),
    }));
    renderWithSession(<MonitoringSettings orgId="org-1" />, server);
    const rules = await screen.findByRole("form", { name: "Alert rules" });

    const percent = within(rules).getByRole("spinbutton", { name: /Threshold/ });
    await userEvent.clear(percent);
    await userEvent.type(percent, "150");
    await userEvent.click(within(rules).getByRole("button", { name: "Save alert rules" }));
    expect(await within(rules).findByText("Enter a whole number from 1 to 100.")).toBeInTheDocument();
    expect(server.sent(`PUT ${BASE}/alerts`)).toHaveLength(0);

    await userEvent.clear(percent);
    await userEvent.type(percent, "35");
    await userEvent.click(within(rules).getByRole("switch", { name: "Any user newly failing" }));
    await userEvent.click(within(rules).getByRole("switch", { name: /certificate or client secret expires/ }));
    const scopeLeak = within(rules).getByRole("switch", { name: /^Mailboxes outside the scope are readable/ });
    expect(scopeLeak).toBeChecked();
    await userEvent.click(scopeLeak);
    const moved = within(rules).getByRole("switch", { name: /^Mailboxes moved between profiles/ });
    expect(moved).toBeChecked();
    await userEvent.click(moved);
    await userEvent.click(within(rules).getByRole("button", { name: "Save alert rules" }));

    expect(await within(rules).findByText("Alert rules saved.")).toBeInTheDocument();
    expect(server.sent(`PUT ${BASE}/alerts`)[0]?.body).toEqual({
      failingShare: { enabled: true, percent: 35 },
      newlyFailing: { enabled: true },
      serviceAccountRefused: { enabled: true },
      serviceAccountSignIn: { enabled: true },
      credentialExpiry: { enabled: false, days: 14 },
      scopeLeak: { enabled: false },
      mailboxesMoved: { enabled: false },
    });
  });

  it("names each open alert, the scope leak included, beside what is wrong", async () => {
    const openedAt = "2026-12-01T09:05:00.000Z";
    const server = backend().on(`GET ${BASE}/alerts`, {
      body: alertSettings({
        open: [
          { kind: "scope_leak", summary: "sync-canary@contoso.lab is readable (mail).", openedAt, runId: "run-1" },
        ],
      }),
    });
    renderWithSession(<MonitoringSettings orgId="org-1" />, server);
    const rules = await screen.findByRole("form", { name: "Alert rules" });

    const open = within(rules).getByText("Open alerts").nextElementSibling as HTMLElement;
    expect(within(open).getByRole("listitem")).toHaveTextContent(
      /^Mailboxes outside the scope are readable: sync-canary@contoso\.lab is readable \(mail\)\. \(since /,
    );
  });

  it("never fills in the stored webhook secret and sends one only when the admin types a new one", async () => {
    const server = backend({ hasSecret: true }).on(`PUT ${BASE}/channels`, {
      body: channels({ webhookUrl: "https://hooks.contoso.test/alerts", hasSecret: true }),
    });
    renderWithSession(<MonitoringSettings orgId="org-1" />, server);
    const panel = await screen.findByRole("form", { name: "Channels" });

    const secret = within(panel).getByLabelText(/Signing secret/);
    expect(secret).toHaveValue("");
    expect(secret).toHaveAttribute("type", "password");
    expect(within(panel).getByText(/A secret is stored and is never shown/)).toBeInTheDocument();
    expect(within(panel).getByRole("textbox", { name: /Webhook URL/ })).toHaveValue(
      "https://hooks.contoso.test/alerts",
    );

    await userEvent.click(within(panel).getByRole("button", { name: "Save channels" }));
    expect(await within(panel).findByText("Channels saved.")).toBeInTheDocument();
    const first = server.sent(`PUT ${BASE}/channels`)[0]?.body as { webhook: Record<string, unknown> };
    expect(first.webhook).toEqual({ enabled: true, url: "https://hooks.contoso.test/alerts" });

    await userEvent.type(secret, "a-new-signing-secret-42");
    await userEvent.click(within(panel).getByRole("button", { name: "Save channels" }));
    await waitFor(() => expect(server.sent(`PUT ${BASE}/channels`)).toHaveLength(2));
    const second = server.sent(`PUT ${BASE}/channels`)[1]?.body as { webhook: Record<string, unknown> };
    expect(second.webhook.secret).toBe("a-new-signing-secret-42");
    await waitFor(() => expect(secret).toHaveValue(""));
  });

  it("shows the URL guard's refusal at the webhook URL field", async () => {
    const server = backend().on(
      `PUT ${BASE}/channels`,
      problem(400, "The channels are not valid.", [{ field: "webhook.url", message: "points to a private address" }]),
    );
    renderWithSession(<MonitoringSettings orgId="org-1" />, server);
    const panel = await screen.findByRole("form", { name: "Channels" });

    await userEvent.click(within(panel).getByRole("switch", { name: "Send alerts to a webhook" }));
    await userEvent.type(within(panel).getByRole("textbox", { name: /Webhook URL/ }), "https://10.0.0.5/hook");
    await userEvent.click(within(panel).getByRole("button", { name: "Save channels" }));
    expect(await within(panel).findByText("Enter a signing secret (16 to 200 characters).")).toBeInTheDocument();
    expect(server.sent(`PUT ${BASE}/channels`)).toHaveLength(0);

    await userEvent.type(within(panel).getByLabelText(/Signing secret/), "sixteen-chars-secret");
    await userEvent.click(within(panel).getByRole("button", { name: "Save channels" }));
    const url = within(panel).getByRole("textbox", { name: /Webhook URL/ });
    await waitFor(() => expect(url).toHaveAccessibleDescription(/points to a private address/));
    expect(within(panel).getByText("The channels are not valid.")).toBeInTheDocument();
  });

  it("names the alert of each delivery in the log", async () => {
    const fired = {
      id: "d-2",
      messageId: "m-2",
      channel: "email" as const,
      event: "fired" as const,
      kind: "service_account_refused" as const,
      alertName: "Service account or app refused",
      attempt: 1,
      status: "delivered" as const,
      httpStatus: null,
      error: null,
      at: "2026-12-02T10:00:00.000Z",
    };
    const server = backend().on(`GET ${BASE}/deliveries`, () => ({ body: { items: [fired], nextCursor: null } }));
    renderWithSession(<MonitoringSettings orgId="org-1" />, server);
    const log = await screen.findByRole("table", { name: "Delivery log" });
    const row = within(log).getAllByRole("row")[1]!;
    expect(row).toHaveTextContent("Alert: Service account or app refused");
    expect(row).toHaveTextContent("By email");
    expect(row).not.toHaveTextContent("service_account_refused");
  });

  it("queues a test message to the channels and lists the attempts in the delivery log", async () => {
    const attempt = {
      id: "d-1",
      messageId: "m-1",
      channel: "webhook" as const,
      event: "test" as const,
      kind: null,
      alertName: "Test message",
      attempt: 1,
      status: "failed" as const,
      httpStatus: 500,
      error: "The webhook answered 500.",
      at: "2026-12-02T10:00:00.000Z",
    };
    let sent = false;
    const server = backend()
      .on(`POST ${BASE}/channels/test`, () => {
        sent = true;
        return { status: 202, body: { messageId: "m-1", channels: ["webhook"] } };
      })
      .on(`GET ${BASE}/deliveries`, () => ({ body: { items: sent ? [attempt] : [], nextCursor: null } }));
    renderWithSession(<MonitoringSettings orgId="org-1" />, server);
    expect(await screen.findByText(/Nothing sent yet/)).toBeInTheDocument();
    await screen.findByRole("form", { name: "Channels" });

    await userEvent.click(within(form("Channels")).getByRole("button", { name: "Send test" }));

    expect(
      await within(form("Channels")).findByText(
        "Test message queued for the webhook: the delivery log shows how it went.",
      ),
    ).toBeInTheDocument();
    expect(server.sent(`POST ${BASE}/channels/test`)).toHaveLength(1);
    const log = await screen.findByRole("table", { name: "Delivery log" });
    const row = within(log).getAllByRole("row")[1]!;
    expect(row).toHaveTextContent("Test messageBy webhook");
    expect(row).toHaveTextContent("Failed (500)");
  });
});
