import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { CanaryDto, CanaryInput } from "../../../../../src/contract/canaries";
import { CanariesSection } from "../../../../../src/taskpane/admin/emailConfig/CanariesSection";
import { CanaryVerdicts } from "../../../../../src/taskpane/admin/emailConfig/CanaryVerdicts";
import { fakeBrowser } from "../../browser/fakeBrowser";
import { FakeBackend, fakeAuth, me, problem, renderWithSession } from "../harness";
import { canary, canaryList, canaryVerdict, directorySuggestions } from "../fixtures";

const CANARIES = "/api/orgs/org-1/canaries";
const POWERSHELL = 'New-Mailbox -Shared -Name "Sync Sidebar canary" -PrimarySmtpAddress sync-canary@contoso.lab';
const SUGGESTION = {
  address: "sync-canary@contoso.lab",
  reason: "A dedicated shared mailbox nobody uses, kept outside the scope on purpose.",
  powershell: POWERSHELL,
};

const DIRECTORY = [
  { address: "archive@contoso.lab", displayName: "Archive" },
  { address: "legal-hold@contoso.lab", displayName: null },
];

/** A backend that keeps the organization's canaries as the API does: added by POST, gone after DELETE. */
function canaryBackend(initial: CanaryDto[] = [], suggestions = [SUGGESTION]) {
  let items = [...initial];
  return new FakeBackend()
    .on("GET /api/me", { body: me() })
    .on(`GET ${CANARIES}/suggestions`, () => ({
      body: directorySuggestions({
        items: DIRECTORY.filter((mailbox) => !items.some((item) => item.address === mailbox.address)),
      }),
    }))
    .on(`GET ${CANARIES}`, () => ({
      body: canaryList({
        items,
        suggestions: suggestions.filter((suggestion) => !items.some((item) => item.address === suggestion.address)),
      }),
    }))
    .on(`POST ${CANARIES}`, (request) => {
      const added = canary((request.body as CanaryInput).address);
      items = [...items, added];
      return { status: 201, body: added };
    });
}

async function section(): Promise<HTMLElement> {
  return screen.findByRole("region", { name: "Canaries" });
}

describe("the Canaries section of Email Configuration", () => {
  it("lists the directory's mailboxes outside the users, each with Add as canary, beside the dedicated mailbox", async () => {
    const server = canaryBackend();
    renderWithSession(<CanariesSection orgId="org-1" />, server);
    const canaries = await section();
    const directory = await within(canaries).findByRole("list", { name: "Directory mailboxes" });
    expect(
      within(directory)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual([
      expect.stringContaining("archive@contoso.labArchive") as string,
      expect.stringContaining("legal-hold@contoso.lab") as string,
    ]);
    // The dedicated mailbox stays suggested beside them.
    expect(within(canaries).getByRole("list", { name: "Suggested canaries" })).toHaveTextContent(SUGGESTION.address);

    await userEvent.click(within(directory).getByRole("button", { name: "Add as canary: archive@contoso.lab" }));

    expect(server.sent(`POST ${CANARIES}`).map((request) => request.body)).toEqual([
      { address: "archive@contoso.lab" },
    ]);
    const list = await within(canaries).findByRole("list", { name: "Canaries" });
    expect(within(list).getByRole("listitem")).toHaveTextContent("archive@contoso.lab");
    // The directory is read again: the one just added is no longer offered.
    await waitFor(() =>
      expect(within(canaries).queryByRole("button", { name: "Add as canary: archive@contoso.lab" })).toBeNull(),
    );
    expect(within(canaries).getByRole("button", { name: "Add as canary: legal-hold@contoso.lab" })).toBeEnabled();
    expect(server.sent(`GET ${CANARIES}/suggestions`).length).toBeGreaterThanOrEqual(2);
  });

  it("says why the directory cannot be read and keeps the dedicated mailbox to add", async () => {
    const server = canaryBackend().on(`GET ${CANARIES}/suggestions`, {
      body: directorySuggestions({
        listed: false,
        reason:
          "The app may not list the directory's users (Access denied); grant it User.Read.All with admin consent.",
      }),
    });
    renderWithSession(<CanariesSection orgId="org-1" />, server);
    const canaries = await section();
    expect(await within(canaries).findByTestId("directory-unlisted")).toHaveTextContent(
      /grant it User\.Read\.All with admin consent\. The dedicated mailbox below needs no directory\.$/,
    );
    expect(within(canaries).queryByRole("list", { name: "Directory mailboxes" })).toBeNull();
    expect(within(canaries).getByRole("button", { name: `Add ${SUGGESTION.address}` })).toBeEnabled();
  });

  it("names the profile that found each mailbox, and why another profile could not list its directory", async () => {
    const server = canaryBackend().on(`GET ${CANARIES}/suggestions`, {
      body: directorySuggestions({
        items: [
          { address: "archive@contoso.lab", displayName: "Archive", profile: "On-premises" },
          { address: "shared-cloud@contoso.lab", displayName: null, profile: "Cloud" },
        ],
        reason: "Profile Agents: The directory could not be read (Timed out); add a canary by its address.",
      }),
    });
    renderWithSession(<CanariesSection orgId="org-1" />, server);
    const canaries = await section();
    const directory = await within(canaries).findByRole("list", { name: "Directory mailboxes" });
    expect(
      within(directory)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual([
      expect.stringContaining("archive@contoso.labArchiveFound through On-premises") as string,
      expect.stringContaining("shared-cloud@contoso.labFound through Cloud") as string,
    ]);
    expect(within(canaries).getByTestId("directory-partly-unlisted")).toHaveTextContent(
      "Profile Agents: The directory could not be read (Timed out)",
    );
  });

  it("offers to read the directory again when the request fails", async () => {
    let answers = 0;
    const server = canaryBackend().on(`GET ${CANARIES}/suggestions`, () =>
      answers++ === 0 ? "network-error" : { body: directorySuggestions({ items: DIRECTORY }) },
    );
    renderWithSession(<CanariesSection orgId="org-1" />, server);
    const canaries = await section();
    await userEvent.click(await within(canaries).findByRole("button", { name: "Try again" }));
    expect(await within(canaries).findByRole("list", { name: "Directory mailboxes" })).toBeInTheDocument();
  });

  it("says what a canary is, lists none yet, and adds one typed in the field", async () => {
    const server = canaryBackend();
    renderWithSession(<CanariesSection orgId="org-1" />, server);
    const canaries = await section();
    expect(canaries).toHaveTextContent("expects to be refused");
    expect(within(canaries).getByText(/^No canary yet/)).toBeInTheDocument();

    await userEvent.type(within(canaries).getByLabelText("Mailbox outside the scope"), " Archive@Contoso.lab ");
    await userEvent.click(within(canaries).getByRole("button", { name: "Add canary" }));

    const list = await within(canaries).findByRole("list", { name: "Canaries" });
    expect(within(list).getByRole("listitem")).toHaveTextContent("Archive@Contoso.lab");
    expect(server.sent(`POST ${CANARIES}`).map((request) => request.body)).toEqual([
      { address: "Archive@Contoso.lab" },
    ]);
    expect(within(canaries).getByLabelText("Mailbox outside the scope")).toHaveValue("");
    expect(within(canaries).getByText(/is now a canary: the next check probes it\.$/)).toBeInTheDocument();
  });

  it("refuses an address that is not one before sending it, at the field", async () => {
    const server = canaryBackend();
    renderWithSession(<CanariesSection orgId="org-1" />, server);
    const canaries = await section();

    const field = within(canaries).getByLabelText("Mailbox outside the scope");
    await userEvent.type(field, "sync-canary");
    await userEvent.click(within(canaries).getByRole("button", { name: "Add canary" }));

    await waitFor(() => expect(field).toHaveAccessibleDescription(/^Enter a mailbox address/));
    expect(field).toHaveFocus();
    expect(server.sent(`POST ${CANARIES}`)).toHaveLength(0);
  });

  it("shows the server's refusal at the field in the admin's words, with no banner", async () => {
    const server = canaryBackend().on(
      `POST ${CANARIES}`,
      problem(422, "address: alexis@contoso.lab is a user of this organization", [
        {
          field: "address",
          message:
            "alexis@contoso.lab is a user of this organization: a canary must lie outside the scope (remove the user first, or pick another mailbox)",
        },
      ]),
    );
    renderWithSession(<CanariesSection orgId="org-1" />, server);
    const canaries = await section();

    const field = within(canaries).getByLabelText("Mailbox outside the scope");
    await userEvent.type(field, "alexis@contoso.lab");
    await userEvent.click(within(canaries).getByRole("button", { name: "Add canary" }));

    // The address opens the sentence: its local part ("alexis") is not taken for a verb after the field's label.
    await waitFor(() =>
      expect(field).toHaveAccessibleDescription(
        "alexis@contoso.lab is a user of this organization: a canary must lie outside the scope (remove the user first, or pick another mailbox)",
      ),
    );
    expect(field).toHaveFocus();
    // The field's own message is the only alert: no banner beside it.
    expect(
      within(canaries)
        .getAllByRole("alert")
        .map((alert) => alert.textContent),
    ).toEqual([
      "alexis@contoso.lab is a user of this organization: a canary must lie outside the scope (remove the user first, or pick another mailbox)",
    ]);
  });

  it("reads a predicate from the server as a sentence about the mailbox", async () => {
    const server = canaryBackend().on(
      `POST ${CANARIES}`,
      problem(409, "archive@contoso.lab is already a canary of this organization.", [
        { field: "address", message: "is already a canary of this organization" },
      ]),
    );
    renderWithSession(<CanariesSection orgId="org-1" />, server);
    const canaries = await section();

    const field = within(canaries).getByLabelText("Mailbox outside the scope");
    await userEvent.type(field, "archive@contoso.lab");
    await userEvent.click(within(canaries).getByRole("button", { name: "Add canary" }));

    await waitFor(() =>
      expect(field).toHaveAccessibleDescription("This mailbox is already a canary of this organization."),
    );
    expect(
      within(canaries)
        .getAllByRole("alert")
        .map((alert) => alert.textContent),
    ).toEqual(["This mailbox is already a canary of this organization."]);
  });

  it("removes a canary at once and keeps the focus in the section", async () => {
    const server = canaryBackend([canary("archive@contoso.lab", "c-1"), canary("old@contoso.lab", "c-2")]);
    let removed = false;
    server.on(`DELETE ${CANARIES}/c-1`, () => {
      removed = true;
      return { status: 204 };
    });
    // After the DELETE the list no longer holds it, as the API answers.
    server.on(`GET ${CANARIES}`, () => ({
      body: canaryList({
        items: removed
          ? [canary("old@contoso.lab", "c-2")]
          : [canary("archive@contoso.lab", "c-1"), canary("old@contoso.lab", "c-2")],
      }),
    }));
    renderWithSession(<CanariesSection orgId="org-1" />, server);
    const canaries = await section();
    const list = await within(canaries).findByRole("list", { name: "Canaries" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(2);

    await userEvent.click(within(list).getByRole("button", { name: "Remove archive@contoso.lab" }));

    await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(1));
    expect(within(list).getByRole("listitem")).toHaveTextContent("old@contoso.lab");
    expect(server.sent(`DELETE ${CANARIES}/c-1`)).toHaveLength(1);
    expect(within(canaries).getByText("archive@contoso.lab is no longer a canary.")).toBeInTheDocument();
    expect(within(canaries).getByLabelText("Mailbox outside the scope")).toHaveFocus();
  });

  it("offers the dedicated mailbox with its PowerShell to copy, and adds it with one button", async () => {
    const server = canaryBackend();
    const browser = fakeBrowser();
    renderWithSession(<CanariesSection orgId="org-1" />, server, fakeAuth(), browser);
    const canaries = await section();

    const suggested = within(canaries).getByRole("list", { name: "Suggested canaries" });
    expect(within(suggested).getByLabelText("PowerShell that creates sync-canary@contoso.lab")).toHaveTextContent(
      POWERSHELL,
    );
    await userEvent.click(within(suggested).getByRole("button", { name: "Copy PowerShell" }));
    expect(browser.copyText).toHaveBeenCalledWith(POWERSHELL);
    expect(within(suggested).getByText("Copied to the clipboard.")).toBeInTheDocument();

    await userEvent.click(within(suggested).getByRole("button", { name: "Add sync-canary@contoso.lab" }));

    const list = await within(canaries).findByRole("list", { name: "Canaries" });
    expect(within(list).getByRole("listitem")).toHaveTextContent("sync-canary@contoso.lab");
    expect(server.sent(`POST ${CANARIES}`).map((request) => request.body)).toEqual([
      { address: "sync-canary@contoso.lab" },
    ]);
    // Added, it is no longer suggested.
    await waitFor(() => expect(within(canaries).queryByRole("list", { name: "Suggested canaries" })).toBeNull());
  });

  it("stops offering the field once the organization has as many canaries as it may", async () => {
    const server = canaryBackend([canary("archive@contoso.lab")]).on(`GET ${CANARIES}`, {
      body: canaryList({ items: [canary("archive@contoso.lab")], suggestions: [SUGGESTION], max: 1 }),
    });
    renderWithSession(<CanariesSection orgId="org-1" />, server);
    const canaries = await section();

    expect(await within(canaries).findByLabelText("Mailbox outside the scope")).toBeDisabled();
    expect(within(canaries).getByText(/at most 1 canaries: remove one to add another/)).toBeInTheDocument();
    expect(within(canaries).queryByRole("list", { name: "Suggested canaries" })).toBeNull();
  });
});

describe("a run's canary verdicts", () => {
  const VERDICTS = "GET /api/orgs/org-1/checks/run-1/canaries";

  it("shows a leak first and prominently, with what leaked, the cause and the remedy; then the others", async () => {
    const server = new FakeBackend().on("GET /api/me", { body: me() }).on(VERDICTS, {
      body: {
        items: [
          canaryVerdict("archive@contoso.lab", "refused"),
          canaryVerdict("gone@contoso.lab", "inconclusive", { detail: "The mailbox could not be found." }),
          canaryVerdict("sync-canary@contoso.lab", "leaked", {
            leaked: ["mail", "calendar"],
            cause: "ApplicationImpersonation without a scope: it may impersonate every mailbox.",
            remedy: "Scope the assignment with -CustomRecipientWriteScope, then run the check again.",
          }),
        ],
      },
    });
    renderWithSession(<CanaryVerdicts orgId="org-1" runId="run-1" />, server);

    const verdicts = await screen.findByRole("region", { name: "Canaries in this run" });
    const leak = within(verdicts).getByTestId("canary-leak");
    expect(leak).toHaveTextContent("sync-canary@contoso.lab is readable");
    expect(within(leak).getByText("Scope leak: canary readable")).toHaveAttribute("data-category", "scope_leak");
    expect(leak).toHaveTextContent("Readable: mail and calendar.");
    expect(leak).toHaveTextContent("Likely cause: ApplicationImpersonation without a scope");
    expect(leak).toHaveTextContent("What to do: Scope the assignment with -CustomRecipientWriteScope");
    // The leak stands above the list of the others.
    const others = within(verdicts).getByRole("list", { name: "Canary verdicts" });
    expect(leak.compareDocumentPosition(others) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    const [inconclusive, refused] = within(others).getAllByRole("listitem");
    expect(inconclusive).toHaveAttribute("data-verdict", "inconclusive");
    expect(inconclusive).toHaveTextContent("gone@contoso.labInconclusive");
    expect(inconclusive).toHaveTextContent("proves nothing either way (User not found)");
    expect(inconclusive).toHaveTextContent("The server answered: The mailbox could not be found.");
    expect(refused).toHaveAttribute("data-verdict", "refused");
    expect(refused).toHaveTextContent("the boundary holds for this mailbox");
  });

  it("shows nothing when the run probed no canary", async () => {
    const server = new FakeBackend().on("GET /api/me", { body: me() }).on(VERDICTS, { body: { items: [] } });
    const { container } = renderWithSession(<CanaryVerdicts orgId="org-1" runId="run-1" />, server);

    await waitFor(() => expect(server.sent(VERDICTS)).toHaveLength(1));
    expect(container).not.toHaveTextContent("Canaries in this run");
  });

  it("says why the verdicts could not be loaded, with a retry", async () => {
    const server = new FakeBackend()
      .on("GET /api/me", { body: me() })
      .on(VERDICTS, problem(500, "The service failed."));
    renderWithSession(<CanaryVerdicts orgId="org-1" runId="run-1" />, server);

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The service failed.");
    server.on(VERDICTS, { body: { items: [canaryVerdict("archive@contoso.lab", "refused")] } });
    await userEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("region", { name: "Canaries in this run" })).toHaveTextContent(
      "archive@contoso.lab",
    );
  });
});
