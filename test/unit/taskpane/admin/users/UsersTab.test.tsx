import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { OrgUserDto } from "../../../../../src/contract/api";
import { UsersTab } from "../../../../../src/taskpane/admin/users/UsersTab";
import { FakeBackend, findDialog, me, problem, renderWithSession } from "../harness";

function user(email: string, role: "admin" | "user" = "user"): OrgUserDto {
  return {
    id: `id-${email.split("@")[0]}`,
    email,
    displayName: email.split("@")[0]!,
    role,
    addedBy: "megan.bowen@contoso.lab",
    addedAt: new Date().toISOString(),
    lastCheck: null,
    profile: {
      profileId: "org-1",
      profileName: "Default",
      source: "default",
      reason: "The default profile",
      explicitProfileId: null,
      placedProfileId: null,
      placementReason: null,
      placedAt: null,
      suggestedProfileId: null,
      suggestedProfileName: null,
    },
  };
}

function backend() {
  return new FakeBackend().on("GET /api/me", { body: me() }).on("GET /api/orgs/org-1/users", (request) => {
    const search = request.query.get("search");
    if (request.query.get("cursor") === "page-2")
      return { body: { items: [user("zoe@contoso.lab")], nextCursor: null } };
    const all = [user("alex.wilber@contoso.lab"), user("megan.bowen@contoso.lab", "admin")];
    return {
      body: { items: search ? all.filter((u) => u.email.includes(search)) : all, nextCursor: search ? null : "page-2" },
    };
  });
}

describe("Users", () => {
  it("lists users, searches as the admin types and pages with the cursor", async () => {
    const server = backend();
    renderWithSession(<UsersTab orgId="org-1" />, server);
    const table = await screen.findByRole("table", { name: "Users of the organization" });
    await within(table).findByText("alex.wilber@contoso.lab");

    await userEvent.type(screen.getByRole("searchbox", { name: "Search users" }), "alex");
    await waitFor(() => expect(within(table).queryByText("megan.bowen@contoso.lab")).not.toBeInTheDocument());
    expect(server.sent("GET /api/orgs/org-1/users").at(-1)?.query.get("search")).toBe("alex");

    await userEvent.clear(screen.getByRole("searchbox", { name: "Search users" }));
    await within(table).findByText("megan.bowen@contoso.lab");
    await userEvent.click(await screen.findByRole("button", { name: "Next page" }));
    expect(await within(table).findByText("zoe@contoso.lab")).toBeInTheDocument();
    expect(screen.getByText("Page 2")).toBeInTheDocument();
  });

  it("shows each user's last check by its label and when, and filters by status", async () => {
    const checked = {
      ...user("adele.vance@contoso.lab"),
      lastCheck: {
        category: "mailbox_store_unavailable",
        severity: "transient" as const,
        checkedAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
      },
    };
    const server = new FakeBackend().on("GET /api/me", { body: me() }).on("GET /api/orgs/org-1/users", (request) => ({
      body: {
        items:
          request.query.get("status") === "never_checked"
            ? [user("alex.wilber@contoso.lab")]
            : [checked, user("alex.wilber@contoso.lab")],
        nextCursor: null,
      },
    }));
    renderWithSession(<UsersTab orgId="org-1" />, server);
    const table = await screen.findByRole("table", { name: "Users of the organization" });
    const row = (await within(table).findByText("adele.vance@contoso.lab")).closest("tr")!;
    expect(within(row).getByTestId("user-status")).toHaveTextContent("Mailbox database unavailable3 h ago");
    expect(table.textContent).not.toContain("mailbox_store_unavailable");
    expect(
      within(within(table).getByText("alex.wilber@contoso.lab").closest("tr")!).getByTestId("user-status"),
    ).toHaveTextContent("Never checked");

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Status" }), "never_checked");
    await waitFor(() => expect(within(table).queryByText("adele.vance@contoso.lab")).not.toBeInTheDocument());
    expect(server.sent("GET /api/orgs/org-1/users").at(-1)?.query.get("status")).toBe("never_checked");
  });

  it("adds a user and shows the server's reason at the email field when it is a duplicate", async () => {
    const server = backend().on(
      "POST /api/orgs/org-1/users",
      problem(409, "Conflict", [
        { field: "email", message: "alex.wilber@contoso.lab is already a user of this organization." },
      ]),
    );
    renderWithSession(<UsersTab orgId="org-1" />, server);
    await screen.findByText("alex.wilber@contoso.lab");

    await userEvent.type(screen.getByRole("textbox", { name: /^Email/ }), "alex.wilber@contoso.lab");
    await userEvent.click(screen.getByRole("button", { name: "Add user" }));

    expect(
      await screen.findByText("alex.wilber@contoso.lab is already a user of this organization."),
    ).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: /^Email/ })).toHaveValue("alex.wilber@contoso.lab");
    expect(server.sent("POST /api/orgs/org-1/users")[0]?.body).toEqual({
      email: "alex.wilber@contoso.lab",
      role: "user",
    });
  });

  it("changes a role and removes a user after confirmation", async () => {
    const server = backend()
      .on("PATCH /api/orgs/org-1/users/id-alex.wilber", { body: user("alex.wilber@contoso.lab", "admin") })
      .on("DELETE /api/orgs/org-1/users/id-alex.wilber", { status: 204 });
    renderWithSession(<UsersTab orgId="org-1" />, server);

    await userEvent.selectOptions(
      await screen.findByRole("combobox", { name: "Role of alex.wilber@contoso.lab" }),
      "admin",
    );
    await waitFor(() =>
      expect(server.sent("PATCH /api/orgs/org-1/users/id-alex.wilber")[0]?.body).toEqual({ role: "admin" }),
    );

    await userEvent.click(screen.getByRole("button", { name: "Remove alex.wilber@contoso.lab" }));
    await userEvent.click(within(await findDialog("Remove alex.wilber@contoso.lab?")).getByText("Remove"));
    await waitFor(() => expect(server.sent("DELETE /api/orgs/org-1/users/id-alex.wilber")).toHaveLength(1));
  });

  it("asks before an admin demotes their own account, and sends nothing until confirmed", async () => {
    const server = backend().on("PATCH /api/orgs/org-1/users/id-megan.bowen", {
      body: user("megan.bowen@contoso.lab", "user"),
    });
    renderWithSession(<UsersTab orgId="org-1" />, server);
    await userEvent.selectOptions(
      await screen.findByRole("combobox", { name: "Role of megan.bowen@contoso.lab" }),
      "user",
    );
    const dialog = await findDialog("Make megan.bowen@contoso.lab a user?");
    expect(within(dialog).getByTestId("admin-warning")).toHaveTextContent(/This is your own account/);
    expect(server.sent("PATCH /api/orgs/org-1/users/id-megan.bowen")).toHaveLength(0);
    await userEvent.click(within(dialog).getByText("Keep as admin"));
    expect(server.sent("PATCH /api/orgs/org-1/users/id-megan.bowen")).toHaveLength(0);

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Role of megan.bowen@contoso.lab" }), "user");
    await userEvent.click(within(await findDialog("Make megan.bowen@contoso.lab a user?")).getByText("Make user"));
    await waitFor(() =>
      expect(server.sent("PATCH /api/orgs/org-1/users/id-megan.bowen")[0]?.body).toEqual({ role: "user" }),
    );
  });

  it("warns, when the whole list is on screen, that removing the only admin would leave none", async () => {
    const server = new FakeBackend().on("GET /api/me", { body: me() }).on("GET /api/orgs/org-1/users", {
      body: { items: [user("alex.wilber@contoso.lab"), user("lee.gu@contoso.lab", "admin")], nextCursor: null },
    });
    renderWithSession(<UsersTab orgId="org-1" />, server);
    await userEvent.click(await screen.findByRole("button", { name: "Remove lee.gu@contoso.lab" }));
    const dialog = await findDialog("Remove lee.gu@contoso.lab?");
    expect(within(dialog).getByTestId("admin-warning")).toHaveTextContent(
      "lee.gu@contoso.lab is the organization's last administrator",
    );
    await userEvent.click(within(dialog).getByText("Keep"));
    await userEvent.click(screen.getByRole("button", { name: "Remove alex.wilber@contoso.lab" }));
    const plain = await findDialog("Remove alex.wilber@contoso.lab?");
    expect(within(plain).queryByTestId("admin-warning")).toBeNull();
  });

  it("shows each row's verdict from a dry run before importing the valid rows", async () => {
    const server = backend().on("POST /api/orgs/org-1/users", (request) => {
      const body = request.body as { dryRun: boolean };
      return body.dryRun
        ? {
            body: {
              dryRun: true,
              total: 2,
              accepted: 1,
              rejected: 1,
              rows: [
                { row: 1, email: "lee.gu@contoso.lab", verdict: "ok" },
                { row: 2, email: "not-an-email", verdict: "rejected", reason: "email must be an email address" },
              ],
            },
          }
        : { body: { dryRun: false, total: 2, accepted: 1, rejected: 1, rows: [] } };
    });
    renderWithSession(<UsersTab orgId="org-1" />, server);
    const csv = "email,displayName,role\nlee.gu@contoso.lab,Lee Gu,user\nnot-an-email,Nobody,user";

    await userEvent.click(await screen.findByRole("textbox", { name: "Users as CSV" }));
    await userEvent.paste(csv);
    await userEvent.click(screen.getByRole("button", { name: "Check rows" }));

    expect(await screen.findByTestId("import-summary")).toHaveTextContent(
      "2 rows: 1 ready to import, 1 rejected. Nothing is saved yet.",
    );
    const verdicts = within(screen.getByRole("table", { name: "Verdict per line" }))
      .getAllByRole("row")
      .slice(1);
    expect(verdicts.map((r) => r.textContent)).toEqual([
      "2not-an-emailRejected email must be an email address",
      "1lee.gu@contoso.labOK",
    ]);

    await userEvent.click(screen.getByRole("button", { name: "Import 1 valid user" }));
    expect(await screen.findByText(/Imported 1 user; 1 row was rejected/)).toBeInTheDocument();
    expect(server.sent("POST /api/orgs/org-1/users").map((r) => r.body)).toEqual([
      { import: { format: "csv", csv }, dryRun: true },
      { import: { format: "csv", csv }, dryRun: false },
    ]);
  });

  it("reads a chosen CSV file into the import", async () => {
    renderWithSession(<UsersTab orgId="org-1" />, backend());
    const file = new File(["email\nlee.gu@contoso.lab\n"], "users.csv", { type: "text/csv" });

    await userEvent.upload(await screen.findByLabelText("CSV file"), file);

    await waitFor(() =>
      expect(screen.getByRole("textbox", { name: "Users as CSV" })).toHaveValue("email\nlee.gu@contoso.lab\n"),
    );
  });
});
