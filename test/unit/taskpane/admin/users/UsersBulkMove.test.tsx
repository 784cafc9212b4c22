import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { OrgUserDto } from "../../../../../src/contract/api";
import { UsersTab } from "../../../../../src/taskpane/admin/users/UsersTab";
import { FakeBackend, me, problem, renderWithSession } from "../harness";
import { profileItem } from "../fixtures";

const DEFAULT = profileItem({ id: "profile-default", name: "On-premises" });
const CLOUD = profileItem({ id: "profile-cloud", name: "Cloud", isDefault: false, accessType: "graph_app_only" });

function user(email: string): OrgUserDto {
  return {
    id: `id-${email.split("@")[0]}`,
    email,
    displayName: email.split("@")[0]!,
    role: "user",
    addedBy: "megan.bowen@contoso.lab",
    addedAt: new Date().toISOString(),
    lastCheck: null,
    profile: {
      profileId: DEFAULT.id,
      profileName: DEFAULT.name,
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

const USERS = ["alex.wilber@contoso.lab", "adele.vance@contoso.lab", "lee.gu@contoso.lab"].map(user);

function backend(profiles = [DEFAULT, CLOUD]) {
  return new FakeBackend()
    .on("GET /api/me", { body: me() })
    .on("GET /api/orgs/org-1/profiles", { body: { items: profiles } })
    .on("GET /api/orgs/org-1/users", { body: { items: USERS, nextCursor: null } })
    .on("POST /api/orgs/org-1/users/move-profile", (request) => {
      const body = request.body as { userIds: string[]; profileId: string | null };
      return { body: { moved: body.userIds.length, profileId: body.profileId } };
    });
}

async function usersTable(): Promise<HTMLElement> {
  const table = await screen.findByRole("table", { name: "Users of the organization" });
  await within(table).findByText("alex.wilber@contoso.lab");
  return table;
}

describe("selecting users and moving them to a profile at once", () => {
  it("moves the selected users to the chosen profile, shows the outcome and reloads the list", async () => {
    const server = backend();
    renderWithSession(<UsersTab orgId="org-1" />, server);
    const table = await usersTable();
    expect(screen.queryByRole("group", { name: "Selected users" })).toBeNull();

    await userEvent.click(within(table).getByRole("checkbox", { name: "Select alex.wilber@contoso.lab" }));
    await userEvent.click(within(table).getByRole("checkbox", { name: "Select lee.gu@contoso.lab" }));
    const bar = screen.getByRole("group", { name: "Selected users" });
    expect(bar).toHaveTextContent("2 selected");
    await userEvent.selectOptions(within(bar).getByRole("combobox", { name: "Move to" }), CLOUD.id);
    const loads = server.sent("GET /api/orgs/org-1/users").length;
    await userEvent.click(within(bar).getByRole("button", { name: "Move to profile" }));

    expect(await screen.findByTestId("bulk-move-outcome")).toHaveTextContent("Moved 2 users to Cloud.");
    expect(server.sent("POST /api/orgs/org-1/users/move-profile").map((request) => request.body)).toEqual([
      { userIds: ["id-alex.wilber", "id-lee.gu"], profileId: CLOUD.id },
    ]);
    await waitFor(() => expect(server.sent("GET /api/orgs/org-1/users").length).toBeGreaterThan(loads));
    expect(screen.queryByRole("group", { name: "Selected users" })).toBeNull();
    expect(within(table).getByRole("checkbox", { name: "Select alex.wilber@contoso.lab" })).not.toBeChecked();
  });

  it("selects every user on the page from the header, by keyboard, and shows a partial selection as mixed", async () => {
    renderWithSession(<UsersTab orgId="org-1" />, backend());
    const table = await usersTable();
    const all = within(table).getByRole("checkbox", { name: "Select all users on this page" });
    all.focus();
    await userEvent.keyboard(" ");
    for (const one of USERS) {
      expect(within(table).getByRole("checkbox", { name: `Select ${one.email}` })).toBeChecked();
    }
    expect(screen.getByRole("group", { name: "Selected users" })).toHaveTextContent("3 selected");

    // The checkboxes are native inputs in the tab order: Space toggles the one with the focus, which keeps it.
    expect(all).toHaveFocus();
    const alex = within(table).getByRole("checkbox", { name: "Select alex.wilber@contoso.lab" });
    expect(alex).not.toHaveAttribute("tabindex", "-1");
    alex.focus();
    await userEvent.keyboard(" ");
    expect(alex).toHaveFocus();
    expect(all).toBePartiallyChecked();
    expect(screen.getByRole("group", { name: "Selected users" })).toHaveTextContent("2 selected");

    await userEvent.click(screen.getByRole("button", { name: "Clear selection" }));
    expect(all).not.toBeChecked();
    expect(screen.queryByRole("group", { name: "Selected users" })).toBeNull();
  });

  it("keeps the selection and shows the refusal when the move fails", async () => {
    const server = backend().on(
      "POST /api/orgs/org-1/users/move-profile",
      problem(422, "profileId: is not a profile of this organization", [
        { field: "profileId", message: "is not a profile of this organization" },
      ]),
    );
    renderWithSession(<UsersTab orgId="org-1" />, server);
    const table = await usersTable();
    await userEvent.click(within(table).getByRole("checkbox", { name: "Select adele.vance@contoso.lab" }));
    await userEvent.click(screen.getByRole("button", { name: "Move to profile" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(/is not a profile of this organization/);
    expect(screen.getByRole("group", { name: "Selected users" })).toHaveTextContent("1 selected");
    expect(screen.queryByTestId("bulk-move-outcome")).toBeNull();
  });

  it("offers no selection when the organization has one profile", async () => {
    renderWithSession(<UsersTab orgId="org-1" />, backend([DEFAULT]));
    const table = await usersTable();
    expect(within(table).queryByRole("checkbox")).toBeNull();
  });
});
