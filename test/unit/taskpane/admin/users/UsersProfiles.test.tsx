import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { OrgUserDto } from "../../../../../src/contract/api";
import type { UserProfileDto } from "../../../../../src/contract/profiles";
import { UsersTab } from "../../../../../src/taskpane/admin/users/UsersTab";
import { FakeBackend, me, problem, renderWithSession } from "../harness";
import { profileItem } from "../fixtures";

const DEFAULT = profileItem({ id: "profile-default", name: "On-premises" });
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
      ...profile,
    },
  };
}

const ALEX = user("alex.wilber@contoso.lab");
const ADELE = user("adele.vance@contoso.lab", {
  profileId: CLOUD.id,
  profileName: CLOUD.name,
  source: "automatic",
  reason: "On-premises Autodiscover redirected the mailbox to Exchange Online",
});
const LEE = user("lee.gu@fabrikam.lab", {
  profileId: CLOUD.id,
  profileName: CLOUD.name,
  source: "rule",
  reason: "Rule: mail domain fabrikam.lab",
});
const NESTOR = user("nestor@contoso.lab", {
  profileId: CLOUD.id,
  profileName: CLOUD.name,
  source: "explicit",
  reason: "Chosen by an admin",
  explicitProfileId: CLOUD.id,
});

function backend(profiles = [DEFAULT, CLOUD]) {
  return new FakeBackend()
    .on("GET /api/me", { body: me() })
    .on("GET /api/orgs/org-1/profiles", { body: { items: profiles } })
    .on("GET /api/orgs/org-1/users", (request) => {
      const all = [ALEX, ADELE, LEE, NESTOR];
      const profileId = request.query.get("profileId");
      return {
        body: { items: profileId ? all.filter((u) => u.profile.profileId === profileId) : all, nextCursor: null },
      };
    });
}

function rowOf(table: HTMLElement, email: string): HTMLElement {
  return within(table).getByText(email).closest("tr")!;
}

describe("Users and connection profiles", () => {
  it("names each user's profile and how it was chosen, in words", async () => {
    renderWithSession(<UsersTab orgId="org-1" />, backend());
    const table = await screen.findByRole("table", { name: "Users of the organization" });
    await within(table).findByText("alex.wilber@contoso.lab");

    const line = (email: string) => within(rowOf(table, email)).getByTestId("user-profile");
    expect(line("alex.wilber@contoso.lab")).toHaveTextContent("Profile: On-premises (default)");
    expect(line("adele.vance@contoso.lab")).toHaveTextContent(
      "Profile: Cloud (automatic) — On-premises Autodiscover redirected the mailbox to Exchange Online",
    );
    expect(line("lee.gu@fabrikam.lab")).toHaveTextContent("Profile: Cloud (rule) — Rule: mail domain fabrikam.lab");
    expect(line("nestor@contoso.lab")).toHaveTextContent("Profile: Cloud (explicit)");
    expect(within(rowOf(table, "nestor@contoso.lab")).getByRole("combobox", { name: /^Profile of/ })).toHaveValue(
      CLOUD.id,
    );
    expect(within(rowOf(table, "adele.vance@contoso.lab")).getByRole("combobox", { name: /^Profile of/ })).toHaveValue(
      "",
    );
  });

  it("filters the list by profile", async () => {
    const server = backend();
    renderWithSession(<UsersTab orgId="org-1" />, server);
    const table = await screen.findByRole("table", { name: "Users of the organization" });
    await within(table).findByText("alex.wilber@contoso.lab");

    const filter = await screen.findByRole("combobox", { name: "Profile" });
    await userEvent.selectOptions(filter, within(filter).getByRole("option", { name: "Cloud" }));

    await waitFor(() => expect(within(table).queryByText("alex.wilber@contoso.lab")).not.toBeInTheDocument());
    expect(within(table).getByText("adele.vance@contoso.lab")).toBeInTheDocument();
    expect(server.sent("GET /api/orgs/org-1/users").at(-1)?.query.get("profileId")).toBe(CLOUD.id);
  });

  it("moves a user to a profile and back to the placement", async () => {
    const server = backend().on("POST /api/orgs/org-1/users/move-profile", (request) => ({
      body: { moved: 1, profileId: (request.body as { profileId: string | null }).profileId },
    }));
    renderWithSession(<UsersTab orgId="org-1" />, server);
    const table = await screen.findByRole("table", { name: "Users of the organization" });
    await within(table).findByText("alex.wilber@contoso.lab");
    const usersLoads = server.sent("GET /api/orgs/org-1/users").length;

    await userEvent.selectOptions(
      within(rowOf(table, "alex.wilber@contoso.lab")).getByRole("combobox", { name: /^Profile of/ }),
      CLOUD.id,
    );
    await waitFor(() => expect(server.sent("POST /api/orgs/org-1/users/move-profile")).toHaveLength(1));
    expect(server.sent("POST /api/orgs/org-1/users/move-profile")[0]?.body).toEqual({
      userIds: [ALEX.id],
      profileId: CLOUD.id,
    });
    expect(await screen.findByText("alex.wilber@contoso.lab is now checked through Cloud")).toBeInTheDocument();
    await waitFor(() => expect(server.sent("GET /api/orgs/org-1/users").length).toBeGreaterThan(usersLoads));

    await userEvent.selectOptions(
      within(rowOf(table, "nestor@contoso.lab")).getByRole("combobox", { name: /^Profile of/ }),
      "",
    );
    await waitFor(() => expect(server.sent("POST /api/orgs/org-1/users/move-profile")).toHaveLength(2));
    expect(server.sent("POST /api/orgs/org-1/users/move-profile")[1]?.body).toEqual({
      userIds: [NESTOR.id],
      profileId: null,
    });
  });

  it("shows the server's refusal of a move", async () => {
    const server = backend().on(
      "POST /api/orgs/org-1/users/move-profile",
      problem(422, "profileId: is not a profile of this organization", [
        { field: "profileId", message: "is not a profile of this organization" },
      ]),
    );
    renderWithSession(<UsersTab orgId="org-1" />, server);
    const table = await screen.findByRole("table", { name: "Users of the organization" });
    await within(table).findByText("alex.wilber@contoso.lab");

    await userEvent.selectOptions(
      within(rowOf(table, "alex.wilber@contoso.lab")).getByRole("combobox", { name: /^Profile of/ }),
      CLOUD.id,
    );
    expect(await screen.findByRole("alert")).toHaveTextContent(/is not a profile of this organization/);
  });

  it("offers no profile filter or choice when the organization has one profile", async () => {
    renderWithSession(<UsersTab orgId="org-1" />, backend([DEFAULT]));
    const table = await screen.findByRole("table", { name: "Users of the organization" });
    await within(table).findByText("alex.wilber@contoso.lab");

    expect(within(rowOf(table, "alex.wilber@contoso.lab")).getByTestId("user-profile")).toHaveTextContent(
      "Profile: On-premises (default)",
    );
    expect(screen.queryByRole("combobox", { name: "Profile" })).not.toBeInTheDocument();
    expect(within(table).queryByRole("combobox", { name: /^Profile of/ })).not.toBeInTheDocument();
  });
});
