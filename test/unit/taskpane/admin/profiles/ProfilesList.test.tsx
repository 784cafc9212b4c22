import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ConnectionProfileListItemDto } from "../../../../../src/contract/profiles";
import { ProfilesList } from "../../../../../src/taskpane/admin/profiles/ProfilesList";
import { FakeBackend, me, problem, renderWithSession } from "../harness";
import { profileItem } from "../fixtures";

const CLOUD = profileItem({
  id: "profile-cloud",
  name: "Cloud",
  isDefault: false,
  accessType: "graph_app_only",
  userCount: 12,
  version: 3,
  lastCheck: {
    checkedAt: new Date(Date.now() - 2 * 3_600_000).toISOString(),
    ok: 10,
    warning: 0,
    failing: 2,
    neverChecked: 0,
  },
});

/** A fake backend holding the profiles list, which the tests change through the routes they declare. */
function backend(initial: ConnectionProfileListItemDto[]) {
  const state = { items: initial };
  const server = new FakeBackend()
    .on("GET /api/me", { body: me() })
    .on("GET /api/orgs/org-1/profiles", () => ({ body: { items: state.items } }));
  return { server, state };
}

async function profileItemNamed(name: string): Promise<HTMLElement> {
  const list = await screen.findByRole("list", { name: "Connection profiles" });
  return within(list).findByRole("listitem", { name });
}

describe("Connection profiles", () => {
  it("says “One profile: Default” in one line, and adds a profile by its name", async () => {
    const { server, state } = backend([profileItem({ accessType: "ews_basic_impersonation", userCount: 40 })]);
    server.on("POST /api/orgs/org-1/profiles", (request) => {
      const name = (request.body as { name: string }).name;
      state.items = [...state.items, profileItem({ id: "profile-new", name, isDefault: false, accessType: null })];
      return { status: 201, body: { id: "profile-new", name } };
    });
    renderWithSession(<ProfilesList orgId="org-1" />, server);

    expect(await screen.findByTestId("single-profile")).toHaveTextContent("One profile: Default");
    expect(screen.queryByRole("list", { name: "Connection profiles" })).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Add profile" }));
    await userEvent.type(screen.getByRole("textbox", { name: "Name of the new profile" }), "Cloud{Enter}");

    expect(server.sent("POST /api/orgs/org-1/profiles")[0]?.body).toEqual({ name: "Cloud" });
    const added = await profileItemNamed("Cloud");
    expect(added).toHaveTextContent("Not configured yet");
    expect(within(added).queryByText("Default")).not.toBeInTheDocument();
    const original = await profileItemNamed("Default");
    expect(within(original).getByText("Default", { selector: ".fui-Badge" })).toBeInTheDocument();
    expect(original).toHaveTextContent("Microsoft Exchange Impersonation");
    expect(original).toHaveTextContent("40 users · Never checked");
    // The default cannot be deleted: it offers no Delete.
    expect(within(original).queryByRole("button", { name: /^Delete/ })).not.toBeInTheDocument();
  });

  it("shows each profile's access type by its label, its users and its last check", async () => {
    const { server } = backend([profileItem(), CLOUD]);
    renderWithSession(<ProfilesList orgId="org-1" />, server);

    const cloud = await profileItemNamed("Cloud");
    expect(cloud).toHaveTextContent("Microsoft 365 OAuth (Graph) – App-only");
    expect(cloud).toHaveTextContent("12 users · Last check 2 h ago: 10 connected, 2 failing");
    expect(cloud.textContent).not.toContain("graph_app_only");
  });

  it("renames with the version read, and shows a taken name at the name field", async () => {
    const { server, state } = backend([profileItem(), CLOUD]);
    server.on("PATCH /api/orgs/org-1/profiles/profile-cloud", (request) => {
      const name = (request.body as { name: string }).name;
      if (name === "Default") {
        return problem(409, "A profile named “Default” already exists in this organization.", [
          { field: "name", message: "is already the name of another profile (“Default”)" },
        ]);
      }
      state.items = [profileItem(), { ...CLOUD, name, version: 4 }];
      return { body: { id: CLOUD.id, name } };
    });
    renderWithSession(<ProfilesList orgId="org-1" />, server);

    const cloud = await profileItemNamed("Cloud");
    await userEvent.click(within(cloud).getByRole("button", { name: "Rename “Cloud”" }));
    const field = within(cloud).getByRole("textbox", { name: "New name for “Cloud”" });
    expect(field).toHaveValue("Cloud");
    await userEvent.clear(field);
    await userEvent.type(field, "Default");
    await userEvent.click(within(cloud).getByRole("button", { name: "Save name" }));

    expect(
      await within(cloud).findByText("A profile named “Default” already exists in this organization."),
    ).toBeInTheDocument();
    expect(field).toHaveValue("Default");

    await userEvent.clear(field);
    await userEvent.type(field, "Exchange Online");
    await userEvent.click(within(cloud).getByRole("button", { name: "Save name" }));

    expect(await profileItemNamed("Exchange Online")).toBeInTheDocument();
    const renames = server.sent("PATCH /api/orgs/org-1/profiles/profile-cloud");
    expect(renames.at(-1)?.body).toEqual({ name: "Exchange Online" });
    expect(renames.at(-1)?.headers["if-match"]).toBe('"3"');
  });

  it("asks before deleting, and shows the server's refusal in words at the profile", async () => {
    const { server } = backend([profileItem(), CLOUD]);
    server.on(
      "DELETE /api/orgs/org-1/profiles/profile-cloud",
      problem(409, "12 users are checked through “Cloud”.", [
        { field: "profileId", message: "still checks 12 users: move them to another profile first" },
      ]),
    );
    renderWithSession(<ProfilesList orgId="org-1" />, server);

    const cloud = await profileItemNamed("Cloud");
    await userEvent.click(within(cloud).getByRole("button", { name: "Delete “Cloud”" }));
    expect(server.sent("DELETE /api/orgs/org-1/profiles/profile-cloud")).toHaveLength(0);
    await userEvent.click(within(cloud).getByRole("button", { name: "Delete" }));

    const refusal = await within(cloud).findByRole("alert");
    expect(refusal).toHaveTextContent("12 users are checked through “Cloud”. Move them to another profile first.");
    expect(refusal.textContent).not.toContain("profileId");
    expect(within(await profileItemNamed("Default")).queryByRole("alert")).not.toBeInTheDocument();
  });

  it("deletes a profile without users once confirmed", async () => {
    const { server, state } = backend([profileItem(), { ...CLOUD, userCount: 0 }]);
    server.on("DELETE /api/orgs/org-1/profiles/profile-cloud", () => {
      state.items = [profileItem()];
      return { status: 204 };
    });
    renderWithSession(<ProfilesList orgId="org-1" />, server);

    const cloud = await profileItemNamed("Cloud");
    await userEvent.click(within(cloud).getByRole("button", { name: "Delete “Cloud”" }));
    await userEvent.click(within(cloud).getByRole("button", { name: "Delete" }));

    expect(await screen.findByTestId("single-profile")).toHaveTextContent("One profile: Default");
    expect(server.sent("DELETE /api/orgs/org-1/profiles/profile-cloud")).toHaveLength(1);
  });

  it("sets another profile as the default and tells the form", async () => {
    const { server, state } = backend([profileItem(), CLOUD]);
    server.on("POST /api/orgs/org-1/profiles/profile-cloud/default", () => {
      state.items = [{ ...CLOUD, isDefault: true }, profileItem({ isDefault: false })];
      return { body: { id: CLOUD.id, name: CLOUD.name, isDefault: true } };
    });
    const onDefaultChanged = vi.fn();
    renderWithSession(<ProfilesList orgId="org-1" onDefaultChanged={onDefaultChanged} />, server);

    const cloud = await profileItemNamed("Cloud");
    await userEvent.click(within(cloud).getByRole("button", { name: "Set as default: “Cloud”" }));

    await waitFor(async () =>
      expect(within(await profileItemNamed("Cloud")).getByText("Default", { selector: ".fui-Badge" })).toBeVisible(),
    );
    expect(within(await profileItemNamed("Default")).queryByText("Default", { selector: ".fui-Badge" })).toBeNull();
    expect(onDefaultChanged).toHaveBeenCalledTimes(1);
    expect(server.sent("POST /api/orgs/org-1/profiles/profile-cloud/default")).toHaveLength(1);
  });
});
