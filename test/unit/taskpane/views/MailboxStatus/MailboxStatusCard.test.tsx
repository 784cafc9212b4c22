import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { MailboxStatusDto } from "../../../../../src/contract/api";
import { CATEGORIES, CATEGORY_LIST } from "../../../../../src/contract/categories";
import { CATEGORY_LABELS } from "../../../../../src/contract/labels";
import { SignInError } from "../../../../../src/taskpane/auth/authTypes";
import { PreviewMailboxHost } from "../../../../../src/taskpane/office/previewMailboxHost";
import { END_USER_WORDS } from "../../../../../src/taskpane/views/MailboxStatus/endUserWords";
import { MailboxStatusCard } from "../../../../../src/taskpane/views/MailboxStatus/MailboxStatusCard";
import { FakeBackend, fakeAuth, me, problem, renderWithSession } from "../../admin/harness";

const org = { id: "org-1", name: "Contoso Lab" };
const fiveMinutesAgo = () => new Date(Date.now() - 5 * 60_000).toISOString();

/** As the backend answers: monitoring's last check is the last result's time unless a test says otherwise. */
function status(partial: Partial<MailboxStatusDto>): MailboxStatusDto {
  return {
    org,
    accessType: "ews_basic_impersonation",
    state: "never_checked",
    lastCheck: null,
    monitoring: { lastCheckedAt: partial.lastCheck?.checkedAt ?? null, scheduled: false },
    place: null,
    ...partial,
  };
}

function backendWith(value: MailboxStatusDto) {
  return new FakeBackend()
    .on("GET /api/me", { body: me([{ ...org, role: "user" }]) })
    .on("GET /api/me/mailbox-status", { body: value });
}

describe("Your mailbox card", () => {
  it("says the mailbox is connected by the organization and when it was last checked", async () => {
    const backend = backendWith(
      status({
        state: "connected",
        lastCheck: {
          category: "ok",
          severity: "ok",
          message: "Mailbox access works.",
          tellAdmin: null,
          checkedAt: fiveMinutesAgo(),
        },
      }),
    );
    renderWithSession(<MailboxStatusCard />, backend);

    expect(await screen.findByText("Connected by your organization.")).toBeInTheDocument();
    expect(screen.getByText(/^Contoso Lab connected your mailbox for you/)).toBeInTheDocument();
    expect(screen.getByTestId("mailbox-state")).toHaveTextContent("Connected");
    expect(screen.getByText(/Last checked/)).toHaveTextContent("Last checked 5 minutes ago");
    expect(screen.getByTestId("mailbox-schedule")).toHaveTextContent("none are scheduled");
    expect(backend.sent("GET /api/me/mailbox-status")[0]?.headers.authorization).toBe("Bearer cached-token");
  });

  it("names the place in an organization with several connections: Exchange Online or the organization's server", async () => {
    const connected = status({
      state: "connected",
      accessType: "graph_app_only",
      place: { where: "exchange_online", profileName: "Cloud" },
      lastCheck: { category: "ok", severity: "ok", message: "ok", tellAdmin: null, checkedAt: fiveMinutesAgo() },
    });
    const { unmount } = renderWithSession(<MailboxStatusCard />, backendWith(connected));
    expect(await screen.findByTestId("mailbox-headline")).toHaveTextContent(
      /^Connected by your organization \(Exchange Online\)\.$/,
    );
    unmount();

    renderWithSession(
      <MailboxStatusCard />,
      backendWith(
        status({
          state: "not_connected",
          place: { where: "on_premises", profileName: "On-premises" },
          lastCheck: {
            category: "impersonation_denied",
            severity: "error",
            message: "denied",
            tellAdmin: null,
            checkedAt: fiveMinutesAgo(),
          },
        }),
      ),
    );
    expect(await screen.findByTestId("mailbox-place")).toHaveTextContent(
      "Your mailbox is checked in your organization's Exchange server.",
    );
    // The sentence to pass on says, in the user's words, where the admin should look.
    expect(screen.getByTestId("mailbox-finding")).toHaveTextContent(
      `${END_USER_WORDS.impersonation_denied} My mailbox is checked on my organization's own Exchange server.`,
    );
    // The profile's name is the admin's word, not the user's.
    expect(screen.queryByText(/On-premises profile/)).toBeNull();
  });

  it("keeps today's words for an organization with one connection", async () => {
    renderWithSession(
      <MailboxStatusCard />,
      backendWith(
        status({
          state: "connected",
          lastCheck: { category: "ok", severity: "ok", message: "ok", tellAdmin: null, checkedAt: fiveMinutesAgo() },
        }),
      ),
    );
    expect(await screen.findByTestId("mailbox-headline")).toHaveTextContent(/^Connected by your organization\.$/);
    expect(screen.queryByTestId("mailbox-place")).toBeNull();
  });

  it("says when the mailbox was last checked and that checks are scheduled, from the monitoring fields", async () => {
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
    renderWithSession(
      <MailboxStatusCard />,
      backendWith({
        ...status({
          state: "connected",
          lastCheck: {
            category: "ok",
            severity: "ok",
            message: "Mailbox access works.",
            tellAdmin: null,
            checkedAt: fiveMinutesAgo(),
          },
        }),
        monitoring: { lastCheckedAt: twoHoursAgo, scheduled: true },
      }),
    );

    expect(await screen.findByText(/Last checked/)).toHaveTextContent("Last checked 2 hours ago");
    expect(screen.getByTestId("mailbox-schedule")).toHaveTextContent(
      "Your organization re-checks mailboxes on a schedule.",
    );
  });

  it("says a mailbox was not checked yet and that no checks are scheduled", async () => {
    renderWithSession(
      <MailboxStatusCard />,
      backendWith({ ...status({ state: "never_checked" }), monitoring: { lastCheckedAt: null, scheduled: false } }),
    );

    expect(await screen.findByText("Not checked yet")).toBeInTheDocument();
    expect(screen.queryByText(/Last checked/)).not.toBeInTheDocument();
    expect(screen.getByTestId("mailbox-schedule")).toHaveTextContent("none are scheduled");
  });

  it("explains a mailbox the organization cannot reach and what to tell the admin", async () => {
    renderWithSession(
      <MailboxStatusCard />,
      backendWith(
        status({
          state: "not_connected",
          lastCheck: {
            category: "no_mailbox",
            severity: "error",
            message: "The user has no mailbox on this server.",
            tellAdmin: "I do not have a mailbox the organization can reach.",
            checkedAt: fiveMinutesAgo(),
          },
        }),
      ),
    );

    expect(await screen.findByTestId("mailbox-state")).toHaveTextContent("Not connected");
    // The server's words are the admin's: the end user reads their own sentence instead.
    expect(screen.queryByText("The user has no mailbox on this server.")).not.toBeInTheDocument();
    expect(screen.getByText(/Tell your admin/)).toHaveTextContent(
      "I do not have a mailbox the organization can reach.",
    );
  });

  it("shows needs attention, never checked and not configured in their own words", async () => {
    const backend = backendWith(
      status({
        state: "needs_attention",
        lastCheck: {
          category: "non_primary_address",
          severity: "warning",
          message: "The address is an alias.",
          tellAdmin: "My mailbox is listed under an alias instead of my primary address.",
          checkedAt: fiveMinutesAgo(),
        },
      }),
    );
    const view = renderWithSession(<MailboxStatusCard />, backend);
    expect(await screen.findByTestId("mailbox-state")).toHaveTextContent("Needs attention");
    expect(screen.getByText(/Tell your admin/)).toHaveTextContent("alias instead of my primary address");
    view.unmount();

    renderWithSession(<MailboxStatusCard />, backendWith(status({ state: "never_checked" })));
    expect(await screen.findByTestId("mailbox-state")).toHaveTextContent("Never checked");
    expect(screen.getByText(/has not been checked yet/)).toBeInTheDocument();
  });

  it("tells a user outside any organization to ask their admin", async () => {
    renderWithSession(
      <MailboxStatusCard />,
      backendWith(status({ org: null, accessType: null, state: "not_configured" })),
    );
    expect(await screen.findByText("You are not a member of an organization in Sync Sidebar yet.")).toBeInTheDocument();
    expect(screen.getByText("Ask your admin to add you to your organization.")).toBeInTheDocument();
  });

  it("offers sign-in when nobody is signed in, then loads the status", async () => {
    const auth = fakeAuth(null);
    const backend = backendWith(status({ state: "never_checked" }));
    renderWithSession(<MailboxStatusCard />, backend, auth);

    await userEvent.click(await screen.findByRole("button", { name: "Sign in" }));

    expect(auth.signIn).toHaveBeenCalledOnce();
    expect(await screen.findByTestId("mailbox-state")).toHaveTextContent("Never checked");
  });

  it("explains a blocked sign-in popup and what to do", async () => {
    const auth = fakeAuth(null);
    auth.signIn.mockRejectedValueOnce(
      new SignInError("popup_blocked", "The sign-in window was blocked by the browser."),
    );
    renderWithSession(<MailboxStatusCard />, backendWith(status({})), auth);

    await userEvent.click(await screen.findByRole("button", { name: "Sign in" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The sign-in window was blocked by the browser.");
    expect(alert).toHaveTextContent("Allow pop-up windows for this site");
  });

  it("says the service cannot be reached, keeps the last status, and recovers on refresh", async () => {
    let down = false;
    const backend = new FakeBackend()
      .on("GET /api/me", { body: me() })
      .on("GET /api/me/mailbox-status", () => (down ? "network-error" : { body: status({ state: "never_checked" }) }));
    renderWithSession(<MailboxStatusCard />, backend);
    await screen.findByTestId("mailbox-state");

    down = true;
    await userEvent.click(screen.getByRole("button", { name: "Refresh" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The Sync Sidebar service cannot be reached.");
    expect(screen.getByText(/has not been checked yet/)).toBeInTheDocument();

    down = false;
    await userEvent.click(screen.getByRole("button", { name: "Refresh" }));
    await waitFor(() => expect(screen.queryByRole("alert")).not.toBeInTheDocument());
  });

  it("asks to sign in again when the API refuses even a fresh token", async () => {
    const backend = new FakeBackend()
      .on("GET /api/me", { body: me() })
      .on("GET /api/me/mailbox-status", problem(401, "Unauthorized"));
    renderWithSession(<MailboxStatusCard />, backend);

    expect(await screen.findByText(/Your session has expired/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Sign in" })).toBeInTheDocument();
    const tokens = backend.sent("GET /api/me/mailbox-status").map((r) => r.headers.authorization);
    expect(tokens).toEqual(["Bearer cached-token", "Bearer fresh-token"]);
  });

  it("shows Admin settings only to admins", async () => {
    let opened = 0;
    renderWithSession(
      <MailboxStatusCard onOpenAdmin={() => (opened += 1)} />,
      backendWith(status({})).on("GET /api/me", { body: me() }),
    );
    await userEvent.click(await screen.findByRole("button", { name: "Admin settings" }));
    expect(opened).toBe(1);
  });

  it("speaks to an admin about her own mailbox as the one who fixes it, not as an end user", async () => {
    const backend = new FakeBackend().on("GET /api/me", { body: me() }).on("GET /api/me/mailbox-status", {
      body: status({
        state: "not_connected",
        lastCheck: {
          category: "mailbox_full",
          severity: "error",
          message: CATEGORIES.mailbox_full.message,
          tellAdmin: "My mailbox is full.",
          checkedAt: fiveMinutesAgo(),
        },
      }),
    });
    renderWithSession(<MailboxStatusCard onOpenAdmin={() => undefined} />, backend);

    const finding = await screen.findByTestId("mailbox-finding");
    expect(finding).toHaveTextContent(`${CATEGORY_LABELS.mailbox_full}: ${CATEGORIES.mailbox_full.message}`);
    expect(screen.getByText(`What to do: ${CATEGORIES.mailbox_full.remedy}`)).toBeInTheDocument();
    const card = screen.getByTestId("mailbox-card");
    expect(card).not.toHaveTextContent(/Tell your admin|your admin/);
  });

  it("tells an admin whose organization was never checked to run the check herself", async () => {
    renderWithSession(
      <MailboxStatusCard />,
      new FakeBackend()
        .on("GET /api/me", { body: me() })
        .on("GET /api/me/mailbox-status", { body: status({ state: "never_checked" }) }),
    );
    expect(await screen.findByText(/Run a check in Admin settings/)).toBeInTheDocument();
    expect(screen.getByTestId("mailbox-card")).not.toHaveTextContent(/your admin/);
  });

  it("says when the open mailbox is not the signed-in user's own, and not when it is", async () => {
    const other = new PreviewMailboxHost({
      user: { displayName: "Alex Wilber", emailAddress: "alex.wilber@contoso.lab" },
    });
    const view = renderWithSession(
      <MailboxStatusCard />,
      backendWith(status({ state: "never_checked" })),
      fakeAuth(),
      undefined,
      other,
    );
    expect(await screen.findByTestId("mailbox-owner-note")).toHaveTextContent(
      "This mailbox belongs to Alex Wilber (alex.wilber@contoso.lab), and you are signed in as megan.bowen@contoso.lab",
    );
    view.unmount();

    renderWithSession(<MailboxStatusCard />, backendWith(status({ state: "never_checked" })));
    await screen.findByTestId("mailbox-state");
    expect(screen.queryByTestId("mailbox-owner-note")).not.toBeInTheDocument();
  });

  it("shows no one's status from before a switch of accounts while the new account's loads", async () => {
    const alex = { username: "alex.wilber@contoso.lab", name: "Alex Wilber" };
    const auth = fakeAuth();
    auth.signIn.mockResolvedValueOnce(alex);
    let release: () => void = () => undefined;
    let calls = 0;
    const backend = new FakeBackend()
      .on("GET /api/me", { body: me([{ ...org, role: "user" }]) })
      .on("GET /api/me/mailbox-status", async () => {
        calls += 1;
        if (calls === 1) return { body: status({ state: "never_checked" }) };
        await new Promise<void>((resolve) => (release = resolve));
        return {
          body: status({
            state: "connected",
            lastCheck: { category: "ok", severity: "ok", message: "", tellAdmin: null, checkedAt: fiveMinutesAgo() },
          }),
        };
      });
    renderWithSession(<MailboxStatusCard />, backend, auth);
    expect(await screen.findByTestId("mailbox-state")).toHaveTextContent("Never checked");

    await userEvent.click(screen.getByRole("button", { name: "Sign out" }));
    await userEvent.click(await screen.findByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("Loading your mailbox status…")).toBeInTheDocument();
    expect(screen.queryByText(/has not been checked yet/)).not.toBeInTheDocument();

    release();
    expect(await screen.findByText("Connected by your organization.")).toBeInTheDocument();
  });
});

describe("the end user's words for a check result", () => {
  const CODE = /\bError[A-Z]\w+|AADSTS\d+|\bHTTP\b|(?<!Microsoft )\b\d{3}\b|\bSOAP\b|\bEWS\b/;
  const ids = CATEGORY_LIST.map((category) => category.id);

  it.each(ids)("%s reads in the first person, without a code or a category id", (id) => {
    const words = END_USER_WORDS[id];
    expect(words).toMatch(/\b(I|my|me)\b/i);
    expect(words).not.toMatch(CODE);
    for (const other of ids) expect(words).not.toMatch(new RegExp(`\\b${other}\\b`));
    expect(words).toMatch(/^[A-Z].*\.$/);
  });

  it("the card shows no code or category id even when the server's words carry them", async () => {
    const failing = CATEGORY_LIST.filter((category) => category.severity !== "ok");
    for (const category of failing.slice(0, 6)) {
      const view = renderWithSession(
        <MailboxStatusCard />,
        backendWith(
          status({
            state: category.severity === "error" ? "not_connected" : "needs_attention",
            lastCheck: {
              category: category.id,
              severity: category.severity,
              message: `${category.message} [${category.id}] (ErrorSomething, HTTP 403)`,
              tellAdmin: `${category.tellAdmin} [${category.id}] AADSTS50000`,
              checkedAt: fiveMinutesAgo(),
            },
          }),
        ),
      );
      const card = await screen.findByTestId("mailbox-card");
      await screen.findByTestId("mailbox-finding");
      expect(card.textContent ?? "").not.toMatch(CODE);
      expect(card).not.toHaveTextContent(category.id);
      expect(screen.getByTestId("mailbox-finding")).toHaveTextContent(END_USER_WORDS[category.id]);
      view.unmount();
    }
  });
});
