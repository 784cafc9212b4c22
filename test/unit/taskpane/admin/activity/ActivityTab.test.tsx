import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ActivityTab } from "../../../../../src/taskpane/admin/activity/ActivityTab";
import { FakeBackend, me, renderWithSession } from "../harness";

const event = (id: string, action: string, target: string | null) => ({
  id,
  at: "2026-11-20T10:00:00.000Z",
  actor: "megan.bowen@contoso.lab",
  action,
  target,
  before: null,
  after: { role: "admin", password: "[redacted]" },
});

describe("Activity", () => {
  it("lists the audit trail newest first, pages older events and exports CSV", async () => {
    const created = vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:audit");
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
    const server = new FakeBackend()
      .on("GET /api/me", { body: me() })
      .on("GET /api/orgs/org-1/audit", (request) =>
        request.query.get("cursor") === "older"
          ? { body: { items: [event("2", "user.add", "alex@contoso.lab")], nextCursor: null } }
          : { body: { items: [event("1", "email_config.update", null)], nextCursor: "older" } },
      )
      .on("GET /api/orgs/org-1/audit.csv", {
        body: "at,actor\n",
        headers: { "content-disposition": 'attachment; filename="audit-org-1.csv"' },
      });
    renderWithSession(<ActivityTab orgId="org-1" />, server);

    const table = await screen.findByRole("table", { name: "Audit trail, newest first" });
    expect(
      await within(table).findByText("megan.bowen@contoso.lab: Saved the email configuration"),
    ).toBeInTheDocument();
    // Details read as fields, never as JSON; a secret reads as hidden.
    expect(within(table).getByText("Role: admin")).toBeInTheDocument();
    expect(within(table).getByText("Password: (hidden)")).toBeInTheDocument();
    expect(table.textContent).not.toMatch(/[{}]|\[redacted\]/);

    await userEvent.click(screen.getByRole("button", { name: "Older" }));
    expect(
      await within(table).findByText("megan.bowen@contoso.lab: Added a user — alex@contoso.lab"),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(created).toHaveBeenCalledOnce());
    expect(server.sent("GET /api/orgs/org-1/audit.csv")[0]?.headers.authorization).toBe("Bearer cached-token");
    vi.restoreAllMocks();
  });

  it("marks check runs started by the schedule and names the monitoring changes", async () => {
    const server = new FakeBackend().on("GET /api/me", { body: me() }).on("GET /api/orgs/org-1/audit", {
      body: {
        items: [
          { ...event("3", "check_run.start", "run-9"), actor: "scheduler", after: { trigger: "scheduled" } },
          { ...event("2", "check_run.start", "run-8"), after: { trigger: "manual" } },
          { ...event("1", "monitoring.schedule.update", null), after: { mode: "daily" } },
        ],
        nextCursor: null,
      },
    });
    renderWithSession(<ActivityTab orgId="org-1" />, server);

    const table = await screen.findByRole("table", { name: "Audit trail, newest first" });
    expect(await within(table).findByText("scheduler: Started a scheduled check run — run-9")).toBeInTheDocument();
    expect(within(table).getByText("megan.bowen@contoso.lab: Started a check run — run-8")).toBeInTheDocument();
    expect(within(table).getByText("megan.bowen@contoso.lab: Changed the monitoring schedule")).toBeInTheDocument();
  });
});
