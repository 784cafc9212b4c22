/**
 * The bulk import in the pane over the server's own reader and judge: an unclosed quote is a verdict on its line,
 * every line is accounted for, and the rejected rows stay to fix and download after the valid ones are imported.
 */
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { UserImportInput } from "../../../../../src/contract/api";
import { judgeImport } from "../../../../../src/server/users/service";
import { BulkImport } from "../../../../../src/taskpane/admin/users/BulkImport";
import type { BrowserActions } from "../../../../../src/taskpane/browser/browserActions";
import { readBlob } from "../../browser/fakeBrowser";
import { FakeBackend, me, renderWithSession } from "../harness";

const CSV = [
  "email,displayName,role",
  "lee.gu@contoso.lab,Lee Gu,user",
  "not-an-email,Nobody,user",
  'diego@contoso.lab,"Diego Siciliani,user',
  "",
  "megan.bowen@contoso.lab,Megan,admin",
  "joni@contoso.lab,Joni,owner",
  "nestor@contoso.lab,Nestor,user",
].join("\n");

function fakeBrowser() {
  return {
    origin: "https://pane.test",
    openPopup: vi.fn(() => true),
    copyText: vi.fn(() => Promise.resolve()),
    saveFile: vi.fn(),
    guardUnload: vi.fn(() => () => undefined),
    print: vi.fn(),
  } satisfies BrowserActions;
}

function backend() {
  const members = new Set(["megan.bowen@contoso.lab"]);
  return new FakeBackend().on("GET /api/me", { body: me() }).on("POST /api/orgs/org-1/users", (request) => {
    const body = request.body as UserImportInput;
    const judged = judgeImport(body.import, members, body.dryRun ?? false);
    if (!body.dryRun) for (const user of judged.accepted) members.add(user.email.toLowerCase());
    return { body: judged.result };
  });
}

describe("bulk import", () => {
  it("accounts for every line of a CSV with an unclosed quote and keeps the rejected rows to fix and download", async () => {
    const browser = fakeBrowser();
    renderWithSession(<BulkImport orgId="org-1" onImported={() => undefined} />, backend(), undefined, browser);
    const box = await screen.findByRole("textbox", { name: "Users as CSV" });
    await userEvent.click(box);
    await userEvent.paste(CSV);
    await userEvent.click(screen.getByRole("button", { name: "Check rows" }));

    expect(await screen.findByTestId("import-summary")).toHaveTextContent(
      "8 lines: the header (line 1), 2 ready to import, 4 rejected, 1 blank. Nothing is saved yet.",
    );
    const verdicts = within(screen.getByRole("table", { name: "Verdict per line" }))
      .getAllByRole("row")
      .slice(1)
      .map((row) => row.textContent);
    expect(verdicts).toEqual([
      "3not-an-emailRejected The email is not a valid address: it has no @.",
      '4Rejected This line has a quote (") that is not closed on its line, so the row could not be read.',
      "6megan.bowen@contoso.labRejected megan.bowen@contoso.lab is already a user of this organization.",
      "7joni@contoso.labRejected The role must be admin or user, not “owner”.",
      "2lee.gu@contoso.labOK",
      "8nestor@contoso.labOK",
    ]);

    await userEvent.click(screen.getByRole("button", { name: "Import 2 valid users" }));
    expect(await screen.findByText(/Imported 2 users; 4 rows were rejected/)).toBeInTheDocument();
    // The rejected rows stay in the box under the header, as typed, and stay listed with their lines.
    await waitFor(() =>
      expect(box).toHaveValue(
        [
          "email,displayName,role",
          "not-an-email,Nobody,user",
          'diego@contoso.lab,"Diego Siciliani,user',
          "megan.bowen@contoso.lab,Megan,admin",
          "joni@contoso.lab,Joni,owner",
        ].join("\n"),
      ),
    );
    const kept = within(screen.getByRole("table", { name: "Rejected lines of the import" })).getAllByRole("row");
    expect(kept.slice(1).map((row) => row.firstChild?.textContent)).toEqual(["3", "4", "6", "7"]);

    await userEvent.click(screen.getByRole("button", { name: "Download rejected rows (CSV)" }));
    expect(browser.saveFile).toHaveBeenCalledTimes(1);
    const file = browser.saveFile.mock.calls[0]![0] as { blob: Blob; filename: string };
    expect(file.filename).toBe("rejected-users.csv");
    const text = await readBlob(file.blob);
    expect(text.split("\r\n")).toEqual([
      '"line","email","reason","row"',
      '"3","not-an-email","The email is not a valid address: it has no @.","not-an-email,Nobody,user"',
      '"4","","This line has a quote ("") that is not closed on its line, so the row could not be read.","diego@contoso.lab,""Diego Siciliani,user"',
      '"6","megan.bowen@contoso.lab","megan.bowen@contoso.lab is already a user of this organization.","megan.bowen@contoso.lab,Megan,admin"',
      '"7","joni@contoso.lab","The role must be admin or user, not “owner”.","joni@contoso.lab,Joni,owner"',
      "",
    ]);
  });
});
