import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { MailboxStatusCard } from "../../../src/taskpane/views/MailboxStatus/MailboxStatusCard";
import { Sidebar } from "../../../src/taskpane/views/Sidebar/Sidebar";
import { FakeBackend, fakeAuth, me, renderWithSession } from "./admin/harness";

const ORG = { id: "org-1", name: "Contoso Lab", role: "user" as const };

function backend() {
  return new FakeBackend().on("GET /api/me", { body: me([ORG]) }).on("GET /api/me/mailbox-status", {
    body: {
      org: { id: ORG.id, name: ORG.name },
      accessType: "ews_basic_impersonation",
      state: "never_checked",
      lastCheck: null,
      monitoring: { lastCheckedAt: null, scheduled: false },
    },
  });
}

describe("the sidebar's header", () => {
  it("names the signed-in account apart from the open mailbox, and follows a switch of accounts", async () => {
    const auth = fakeAuth();
    auth.signIn.mockResolvedValueOnce({ username: "alex.wilber@contoso.lab", name: "Alex Wilber" });
    renderWithSession(<Sidebar statusCards={<MailboxStatusCard />} />, backend(), auth);

    expect(await screen.findByTestId("signed-in-as")).toHaveTextContent(
      "Signed in as Megan Bowen (megan.bowen@contoso.lab)",
    );
    expect(await screen.findByTestId("mailbox-owner")).toHaveTextContent(
      "Mailbox: Megan Bowen (megan.bowen@contoso.lab)",
    );

    await userEvent.click(await screen.findByRole("button", { name: "Sign out" }));
    expect(screen.queryByTestId("signed-in-as")).not.toBeInTheDocument();
    await userEvent.click(await screen.findByRole("button", { name: "Sign in" }));

    expect(await screen.findByTestId("signed-in-as")).toHaveTextContent(
      "Signed in as Alex Wilber (alex.wilber@contoso.lab)",
    );
    expect(screen.queryByText(/Signed in as Megan Bowen/)).not.toBeInTheDocument();
    // Megan's mailbox is still the one open: the card says whose status it shows.
    expect(await screen.findByTestId("mailbox-owner-note")).toHaveTextContent(
      "you are signed in as alex.wilber@contoso.lab",
    );
  });
});
