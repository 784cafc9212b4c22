/** The Users tab's "Move to the suggested profile": per user, and for every user with a suggestion. */
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { OrgUserDto } from "../../../../../src/contract/api";
import type { UserProfileDto } from "../../../../../src/contract/profiles";
import { UsersTab } from "../../../../../src/taskpane/admin/users/UsersTab";
import { FakeBackend, me, renderWithSession } from "../harness";
import { profileItem } from "../fixtures";

const ONPREM = profileItem({ id: "profile-default", name: "On-premises" });
const CLOUD = profileItem({ id: "profile-cloud", name: "Cloud", isDefault: false, accessType: "graph_app_only" });

function user(email: string, profile: Partial<UserProfileDto> = {}): OrgUserDto {
  return {
    id: `id-${email.split("@")[0]}`,
    email,
    displayName: email.split("@")[0]!,
    role: "user",
    addedBy: "megan.bowen@contoso.lab",
    addedAt: new Date().toISOString(),
    lastCheck: null,
    profile: {
      profileId: ONPREM.id,
      profileName: ONPREM.name,
      source: "explicit",
      reason: "Chosen by an admin",
      explicitProfileId: ONPREM.id,
      placedProfileId: null,
      placementReason: null,
      placedAt: null,
      suggestedProfileId: null,
      suggestedProfileName: null,
      ...profile,
    },
  };
}

const MOVED = user("nina.admin@northwind.lab", { suggestedProfileId: CLOUD.id, suggestedProfileName: CLOUD.name });
const STAYS = user("oscar.onprem@northwind.lab");

function backend(users: OrgUserDto[]) {
  return new FakeBackend()
    .on("GET /api/me", { body: me() })
    .on("GET /api/orgs/org-1/profiles", { body: { items: [ONPREM, CLOUD] } })
    .on("GET /api/orgs/org-1/users", { body: { items: users, nextCursor: null } })
    .on("POST /api/orgs/org-1/users/move-to-suggested", { body: { moved: 1, moves: [] } });
}

describe("Users tab: moving a user to the suggested profile", () => {
  it("offers the move only to a user with a suggestion, and sends that user", async () => {
    const server = backend([MOVED, STAYS]);
    renderWithSession(<UsersTab orgId="org-1" />, server);
    const table = await screen.findByRole("table", { name: "Users of the organization" });
    const movedRow = (await within(table).findByText(MOVED.email)).closest("tr")!;
    const staysRow = within(table).getByText(STAYS.email).closest("tr")!;

    expect(within(movedRow).getByTestId("user-suggested-profile")).toHaveTextContent(
      "Mailbox found elsewhere: suggested profile Cloud",
    );
    expect(within(staysRow).queryByRole("button", { name: /suggested profile/ })).not.toBeInTheDocument();

    await userEvent.click(
      within(movedRow).getByRole("button", { name: "Move nina.admin@northwind.lab to the suggested profile Cloud" }),
    );
    await waitFor(() => expect(server.sent("POST /api/orgs/org-1/users/move-to-suggested")).toHaveLength(1));
    expect(server.sent("POST /api/orgs/org-1/users/move-to-suggested")[0]?.body).toEqual({ userIds: [MOVED.id] });
    expect(await screen.findByText("nina.admin@northwind.lab is now checked through Cloud")).toBeInTheDocument();
  });

  it("moves every user with a suggestion at once", async () => {
    const server = backend([MOVED, STAYS]);
    renderWithSession(<UsersTab orgId="org-1" />, server);
    await screen.findByRole("table", { name: "Users of the organization" });
    await userEvent.click(await screen.findByRole("button", { name: "Move all with a suggestion" }));
    await waitFor(() => expect(server.sent("POST /api/orgs/org-1/users/move-to-suggested")).toHaveLength(1));
    expect(server.sent("POST /api/orgs/org-1/users/move-to-suggested")[0]?.body).toEqual({ all: true });
  });

  it("shows no move-all action when no user has a suggestion", async () => {
    renderWithSession(<UsersTab orgId="org-1" />, backend([STAYS]));
    const table = await screen.findByRole("table", { name: "Users of the organization" });
    await within(table).findByText(STAYS.email);
    expect(screen.queryByRole("button", { name: "Move all with a suggestion" })).not.toBeInTheDocument();
  });
});
