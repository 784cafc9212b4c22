import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import AdminApp from "../../../../src/taskpane/admin/AdminApp";
import { FakeBackend, fakeAuth, findDialog, me, problem, renderWithSession } from "./harness";
import { emailConfig } from "./fixtures";
import { channels, schedule } from "./monitoringFixtures";

function backend(orgs = me().orgs) {
  return new FakeBackend()
    .on("GET /api/me", { body: me(orgs) })
    .on("GET /api/client-config", { body: { protocolMode: "oidc" } })
    .on("GET /api/orgs/org-1/email-config", { body: emailConfig() })
    .on("GET /api/orgs/org-2/email-config", { body: emailConfig({ orgId: "org-2" }) })
    .on("GET /api/orgs/org-1/checks", { body: { items: [] } })
    .on("GET /api/orgs/org-2/checks", { body: { items: [] } })
    .on("GET /api/orgs/org-1/users", { body: { items: [], nextCursor: null } });
}

describe("Admin settings", () => {
  it("tells a signed-in non-admin that the settings are for admins", async () => {
    renderWithSession(
      <AdminApp onClose={() => undefined} />,
      backend([{ id: "org-1", name: "Contoso Lab", role: "user" }]),
    );
    expect(await screen.findByText(/is not an admin of any organization/)).toBeInTheDocument();
    expect(screen.queryByRole("tablist")).not.toBeInTheDocument();
  });

  it("opens on the Email Configuration of the admin's organization, with Users, Activity and Health tabs", async () => {
    renderWithSession(<AdminApp onClose={() => undefined} />, backend());
    const tabs = await screen.findByRole("tablist", { name: "Admin sections" });
    for (const name of ["Users", "Email Configuration", "Activity", "Health"]) {
      expect(within(tabs).getByRole("tab", { name })).toBeInTheDocument();
    }
    expect(within(tabs).getByRole("tab", { name: "Email Configuration" })).toHaveAttribute("aria-selected", "true");
    expect(await screen.findByRole("heading", { name: "Email Configuration" })).toBeInTheDocument();
    expect(screen.getByText("Organization: Contoso Lab")).toBeInTheDocument();
  });

  it("offers an organization picker when the admin has several and keeps each org's draft", async () => {
    const server = backend([
      { id: "org-1", name: "Contoso Lab", role: "admin" },
      { id: "org-2", name: "Fabrikam", role: "admin" },
    ]);
    renderWithSession(<AdminApp onClose={() => undefined} />, server);
    const picker = await screen.findByRole("combobox", { name: "Organization" });
    await userEvent.selectOptions(
      await screen.findByRole("combobox", { name: /Mailbox Access Type/ }),
      "graph_app_only",
    );

    await userEvent.selectOptions(picker, "org-2");
    expect(await screen.findByRole("combobox", { name: /Mailbox Access Type/ })).toHaveValue("");
    await userEvent.selectOptions(picker, "org-1");
    expect(await screen.findByRole("combobox", { name: /Mailbox Access Type/ })).toHaveValue("graph_app_only");
  });

  it("keeps unsaved changes across tabs and asks before leaving with them", async () => {
    const onClose = vi.fn();
    renderWithSession(<AdminApp onClose={onClose} />, backend());
    await userEvent.selectOptions(
      await screen.findByRole("combobox", { name: /Mailbox Access Type/ }),
      "graph_app_only",
    );

    await userEvent.click(screen.getByRole("tab", { name: "Users" }));
    await userEvent.click(screen.getByRole("tab", { name: "Email Configuration" }));
    expect(await screen.findByRole("combobox", { name: /Mailbox Access Type/ })).toHaveValue("graph_app_only");

    await userEvent.click(screen.getByRole("button", { name: "Back to sidebar" }));
    const dialog = await findDialog("Leave with unsaved changes?");
    await userEvent.click(within(dialog).getByText("Stay and keep editing"));
    expect(onClose).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Back to sidebar" }));
    await userEvent.click(within(await findDialog("Leave with unsaved changes?")).getByText("Leave without saving"));
    expect(onClose).toHaveBeenCalledOnce();
  });

  it("keeps the form on screen and offers sign-in when the session expires", async () => {
    const server = backend();
    renderWithSession(<AdminApp onClose={() => undefined} />, server, fakeAuth());
    await userEvent.selectOptions(
      await screen.findByRole("combobox", { name: /Mailbox Access Type/ }),
      "ews_basic_impersonation",
    );
    await userEvent.type(screen.getByLabelText(/Account Logon/), "svc-sync@contoso.lab");
    server.on("POST /api/orgs/org-1/email-config/discover", problem(401, "Unauthorized"));

    await userEvent.click(screen.getByRole("button", { name: /Find EWS URL/ }));

    expect(await screen.findByText(/Your session has expired. Sign in again to continue/)).toBeInTheDocument();
    expect(screen.getByLabelText(/Account Logon/)).toHaveValue("svc-sync@contoso.lab");
  });

  it("asks a signed-out admin to sign in", async () => {
    const auth = fakeAuth(null);
    renderWithSession(<AdminApp onClose={() => undefined} />, backend(), auth);
    await userEvent.click(await screen.findByRole("button", { name: "Sign in" }));
    expect(auth.signIn).toHaveBeenCalledOnce();
    expect(await screen.findByRole("tablist")).toBeInTheDocument();
  });

  it("loads the Health tab when it is opened and shows the empty history", async () => {
    const server = backend()
      .on("GET /api/orgs/org-1/monitoring/history", { body: { items: [], nextCursor: null } })
      .on("GET /api/orgs/org-1/monitoring/failing-users", { body: { items: [] } })
      .on("GET /api/orgs/org-1/monitoring/status-changes", { body: { items: [], nextCursor: null } })
      .on("GET /api/orgs/org-1/monitoring/schedule", { body: schedule() })
      .on("GET /api/orgs/org-1/monitoring/channels", { body: channels() });
    renderWithSession(<AdminApp onClose={() => undefined} />, server);
    await screen.findByRole("tablist", { name: "Admin sections" });
    expect(server.sent("GET /api/orgs/org-1/monitoring/history")).toHaveLength(0);

    await userEvent.click(screen.getByRole("tab", { name: "Health" }));

    const panel = await screen.findByRole("tabpanel", { name: "Health" });
    expect(await within(panel).findByRole("heading", { name: "Health" })).toBeInTheDocument();
    expect(await within(panel).findByText(/No check runs of the saved configuration yet/)).toBeInTheDocument();
    expect(within(panel).getByRole("heading", { name: "Monitoring" })).toBeInTheDocument();
  });

  it("opens the tab a deep link names, puts each chosen tab in the hash, and follows back and forward", async () => {
    const server = backend().on("GET /api/orgs/org-1/audit", { body: { items: [], nextCursor: null } });
    window.history.replaceState(null, "", "#/admin/users");
    renderWithSession(<AdminApp onClose={() => undefined} />, server);
    const tabs = await screen.findByRole("tablist", { name: "Admin sections" });
    expect(within(tabs).getByRole("tab", { name: "Users" })).toHaveAttribute("aria-selected", "true");
    expect(await screen.findByRole("tabpanel", { name: "Users" })).toBeInTheDocument();

    await userEvent.click(within(tabs).getByRole("tab", { name: "Activity" }));
    expect(window.location.hash).toBe("#/admin/activity");
    expect(await screen.findByRole("tabpanel", { name: "Activity" })).toBeInTheDocument();
    await userEvent.click(within(tabs).getByRole("tab", { name: "Email Configuration" }));
    expect(window.location.hash).toBe("#/admin/email-config");

    window.history.back();
    await waitFor(() => expect(window.location.hash).toBe("#/admin/activity"));
    await waitFor(() =>
      expect(within(tabs).getByRole("tab", { name: "Activity" })).toHaveAttribute("aria-selected", "true"),
    );
    window.history.back();
    await waitFor(() =>
      expect(within(tabs).getByRole("tab", { name: "Users" })).toHaveAttribute("aria-selected", "true"),
    );
    window.history.forward();
    await waitFor(() =>
      expect(within(tabs).getByRole("tab", { name: "Activity" })).toHaveAttribute("aria-selected", "true"),
    );
    expect(screen.getByRole("tabpanel", { name: "Activity" })).toBeInTheDocument();
  });

  it("opens Email Configuration for #/admin alone or a tab it does not know", async () => {
    window.history.replaceState(null, "", "#/admin/nonsense");
    renderWithSession(<AdminApp onClose={() => undefined} />, backend());
    const tabs = await screen.findByRole("tablist", { name: "Admin sections" });
    expect(within(tabs).getByRole("tab", { name: "Email Configuration" })).toHaveAttribute("aria-selected", "true");
  });
});
