import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { EXCHANGE_ONLINE_HOSTS } from "../../../../../src/contract/exchangeOnline";
import type { EmailConfigDraft } from "../../../../../src/taskpane/admin/emailConfig/draft";
import { EmailConfigTab } from "../../../../../src/taskpane/admin/emailConfig/EmailConfigTab";
import { fakeBrowser } from "../../browser/fakeBrowser";
import { FakeBackend, fakeAuth, me, problem, renderWithSession } from "../harness";
import {
  canary,
  canaryList,
  directorySuggestions,
  canaryVerdict,
  checkRun,
  emailConfig,
  profileItem,
  profileShare,
  result,
  resultsAnswer,
} from "../fixtures";

function Tab() {
  const [draft, setDraft] = useState<EmailConfigDraft | null>(null);
  return <EmailConfigTab orgId="org-1" store={{ draft, setDraft }} onDirtyChange={() => undefined} />;
}

function backend(config = emailConfig()) {
  return new FakeBackend()
    .on("GET /api/me", { body: me() })
    .on("GET /api/client-config", {
      body: {
        protocolMode: "oidc",
        apiScopes: [],
        clientId: "spa",
        authority: "x",
        knownAuthorities: [],
        serviceAccountScopes: [],
      },
    })
    .on("GET /api/orgs/org-1/email-config", { body: config })
    .on("GET /api/orgs/org-1/profiles", { body: { items: [profileItem()] } })
    .on("GET /api/orgs/org-1/checks", { body: { items: [] } })
    .on("GET /api/orgs/org-1/canaries", { body: canaryList() })
    .on("GET /api/orgs/org-1/canaries/suggestions", { body: directorySuggestions() })
    .on("GET /api/orgs/org-1/checks/run-1/canaries", { body: { items: [] } });
}

async function chooseType(label: RegExp) {
  const select = await screen.findByRole("combobox", { name: /Mailbox Access Type/ });
  const option = within(select).getByRole("option", { name: label });
  await userEvent.selectOptions(select, option);
}

/** jsdom has no layout: give the results list a pane-sized viewport and each row a row's height. */
function giveResultsListLayout() {
  const heightOf = (element: HTMLElement) =>
    element.dataset.testid === "results-list" ? 512 : element.getAttribute("role") === "listitem" ? 76 : 0;
  const spies = [
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockImplementation(function (this: HTMLElement) {
      return heightOf(this);
    }),
    vi.spyOn(HTMLElement.prototype, "offsetHeight", "get").mockImplementation(function (this: HTMLElement) {
      return heightOf(this);
    }),
    vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(320),
  ];
  onTestFinished(() => spies.forEach((spy) => spy.mockRestore()));
}

describe("Email Configuration", () => {
  it("shows one line of guidance per access type and only the fields the type needs", async () => {
    renderWithSession(<Tab />, backend());

    await chooseType(/^Microsoft Exchange Impersonation$/);
    expect(screen.getByText(/On-premises Exchange 2016, 2019/)).toBeInTheDocument();
    expect(screen.getByLabelText(/Account Logon/)).toBeInTheDocument();
    expect(screen.getByLabelText(/^Password/)).toBeInTheDocument();
    expect(screen.getByLabelText(/EWS URL/)).toBeInTheDocument();

    await chooseType(/App-only/);
    expect(screen.queryByLabelText(/^Password/)).not.toBeInTheDocument();
    expect(screen.getByLabelText(/Tenant ID/)).toBeInTheDocument();
    expect(document.getElementById("ec-appOnly-clientSecret")).toHaveAttribute("type", "password");
  });

  it("warns that EWS impersonation cannot work against Exchange Online and offers the app-only path", async () => {
    renderWithSession(<Tab />, backend());
    await chooseType(/^Microsoft Exchange Impersonation$/);

    await userEvent.type(screen.getByLabelText(/EWS URL/), "https://outlook.office365.com/EWS/Exchange.asmx");

    const notice = screen.getByTestId("retired-notice");
    expect(notice).toHaveTextContent("cannot work against Exchange Online");
    expect(notice).toHaveTextContent("2025-02-01");
    await userEvent.click(within(notice).getByRole("button", { name: "Switch to App-only" }));
    expect(screen.getByRole("combobox", { name: /Mailbox Access Type/ })).toHaveValue("graph_app_only");
  });

  it.each([...EXCHANGE_ONLINE_HOSTS])(
    "shows the retirement notice for %s, every host the server's preflight stops on",
    async (host) => {
      renderWithSession(<Tab />, backend());
      await chooseType(/^Microsoft Exchange Impersonation$/);
      await userEvent.type(screen.getByLabelText(/EWS URL/), `https://${host}/EWS/Exchange.asmx`);
      expect(screen.getByTestId("retired-notice")).toHaveTextContent("cannot work against Exchange Online");
    },
  );

  it("marks empty fields at the field and focuses the first, without calling the server", async () => {
    const server = backend();
    renderWithSession(<Tab />, server);
    await chooseType(/^Microsoft Exchange Impersonation$/);

    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(
      screen.getByText("Enter the service account's DOMAIN\\user logon, UPN or email address."),
    ).toBeInTheDocument();
    expect(screen.getByText("Enter the service account's password.")).toBeInTheDocument();
    expect(screen.getByText(/Enter the EWS URL/)).toBeInTheDocument();
    expect(screen.getByLabelText(/Account Logon/)).toHaveFocus();
    expect(server.sent("PUT /api/orgs/org-1/email-config")).toHaveLength(0);
  });

  it("sends the client secret's expiry date with the secret, for the expiry alert", async () => {
    const server = backend().on("PUT /api/orgs/org-1/email-config", { body: emailConfig() });
    renderWithSession(<Tab />, server);
    await chooseType(/App-only/);
    await userEvent.type(screen.getByLabelText(/Tenant ID/), "contoso.onmicrosoft.com");
    await userEvent.type(screen.getByLabelText(/^Client ID/), "5b6f3c2e-9d1a-4e7b-8c3f-2a1d0e9f8b7c");
    await userEvent.type(document.getElementById("ec-appOnly-clientSecret")!, "s3cret-value");
    await userEvent.type(screen.getByLabelText(/Secret expires on/), "2027-06-30");

    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    await waitFor(() => expect(server.sent("PUT /api/orgs/org-1/email-config")).toHaveLength(1));
    expect(server.sent("PUT /api/orgs/org-1/email-config")[0]?.body).toMatchObject({
      accessType: "graph_app_only",
      appOnly: { clientSecret: "s3cret-value", clientSecretExpiresAt: "2027-06-30" },
    });
  });

  it("shows the server's reason at the field it names", async () => {
    const server = backend().on(
      "PUT /api/orgs/org-1/email-config",
      problem(422, "Unprocessable Content", [
        { field: "ewsUrl", message: "resolves to a private address the deployment does not allow" },
      ]),
    );
    renderWithSession(<Tab />, server);
    await chooseType(/^Microsoft Exchange Impersonation$/);
    await userEvent.type(screen.getByLabelText(/Account Logon/), "svc-sync@contoso.lab");
    await userEvent.type(screen.getByLabelText(/^Password/), "secret");
    await userEvent.type(screen.getByLabelText(/EWS URL/), "https://10.0.0.5/EWS/Exchange.asmx");

    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(
      await screen.findByText("EWS URL resolves to a private address the deployment does not allow."),
    ).toBeInTheDocument();
    expect(screen.getByLabelText(/EWS URL/)).toHaveFocus();
    expect(server.sent("PUT /api/orgs/org-1/email-config")[0]?.body).toEqual({
      accessType: "ews_basic_impersonation",
      ewsUrl: "https://10.0.0.5/EWS/Exchange.asmx",
      accountLogon: "svc-sync@contoso.lab",
      password: "secret",
      authentication: "automatic",
    });
  });

  it("offers Automatic, Windows (NTLM) and Basic, explains each, and sends the choice", async () => {
    const server = backend().on("PUT /api/orgs/org-1/email-config", {
      body: emailConfig({
        accessType: "ews_basic_impersonation",
        accountLogon: "CONTOSO\\svc-sync",
        authentication: "ntlm",
        ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
        hasPassword: true,
        version: 1,
      }),
    });
    renderWithSession(<Tab />, server);
    await chooseType(/^Microsoft Exchange Impersonation$/);
    const authentication = screen.getByLabelText(/^Authentication/);
    expect(authentication).toHaveValue("automatic");
    expect(screen.getByText(/Windows authentication \(NTLM\) when enabled, otherwise Basic/)).toBeInTheDocument();
    expect(screen.getByText(/CONTOSO\\svc-sync \(down-level\)/)).toBeInTheDocument();
    await userEvent.selectOptions(authentication, "ntlm");
    expect(screen.getByText(/Windows authentication on, Basic off/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText(/Account Logon/), "CONTOSO\\svc-sync");
    await userEvent.type(screen.getByLabelText(/^Password/), "secret");
    await userEvent.type(screen.getByLabelText(/EWS URL/), "https://mail.contoso.lab/EWS/Exchange.asmx");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(server.sent("PUT /api/orgs/org-1/email-config")).toHaveLength(1));
    expect(server.sent("PUT /api/orgs/org-1/email-config")[0]?.body).toMatchObject({
      accountLogon: "CONTOSO\\svc-sync",
      authentication: "ntlm",
    });
  });

  it("says a password is stored and keeps it when the field stays blank", async () => {
    const saved = emailConfig({
      accessType: "ews_basic_impersonation",
      ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
      accountLogon: "svc-sync@contoso.lab",
      hasPassword: true,
      version: 4,
    });
    const server = backend(saved).on("PUT /api/orgs/org-1/email-config", {
      body: { ...saved, ewsUrl: "https://mail2.contoso.lab/EWS/Exchange.asmx", version: 5 },
    });
    renderWithSession(<Tab />, server);

    expect(await screen.findByText(/A password is stored/)).toBeInTheDocument();
    const url = screen.getByLabelText(/EWS URL/);
    await userEvent.clear(url);
    await userEvent.type(url, "https://mail2.contoso.lab/EWS/Exchange.asmx");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    await screen.findByText("The email configuration was saved.");
    const put = server.sent("PUT /api/orgs/org-1/email-config")[0]!;
    expect(put.body).not.toHaveProperty("password");
    expect(put.headers["if-match"]).toBe('"4"');
  });

  it("keeps what was typed when another admin saved first (412) and can save over it", async () => {
    let attempts = 0;
    const saved = emailConfig({
      accessType: "ews_basic_impersonation",
      ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
      accountLogon: "svc-sync@contoso.lab",
      hasPassword: true,
      version: 1,
    });
    const server = backend(saved).on("PUT /api/orgs/org-1/email-config", (request) => {
      attempts += 1;
      return attempts === 1
        ? problem(412, "Precondition Failed")
        : { body: { ...saved, ...(request.body as object), version: 3 } };
    });
    renderWithSession(<Tab />, server);
    const logon = await screen.findByLabelText(/Account Logon/);
    server.on("GET /api/orgs/org-1/email-config", {
      body: { ...saved, version: 2, updatedBy: "adele.vance@contoso.lab" },
    });
    await userEvent.clear(logon);
    await userEvent.type(logon, "svc-new@contoso.lab");

    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(await screen.findByText("Someone else saved first")).toBeInTheDocument();
    expect(screen.getByText(/adele.vance@contoso.lab saved the configuration/)).toBeInTheDocument();
    expect(screen.getByLabelText(/Account Logon/)).toHaveValue("svc-new@contoso.lab");

    await userEvent.click(screen.getByRole("button", { name: "Save mine over theirs" }));
    await screen.findByText("The email configuration was saved.");
    expect(server.sent("PUT /api/orgs/org-1/email-config").map((r) => r.headers["if-match"])).toEqual(['"1"', '"2"']);
  });

  it("fills the EWS URL with the magic wand and lists every discovery step", async () => {
    const server = backend().on("POST /api/orgs/org-1/email-config/discover", {
      body: {
        ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
        exchangeOnline: false,
        steps: [
          {
            name: "Microsoft 365 Autodiscover v2",
            url: "https://outlook.office365.com/autodiscover/autodiscover.json",
            outcome: "failed",
            detail: "not a Microsoft 365 domain",
          },
          {
            name: "Autodiscover POX",
            url: "https://contoso.lab/autodiscover/autodiscover.xml",
            outcome: "ok",
            detail: "EWS URL found",
          },
        ],
      },
    });
    renderWithSession(<Tab />, server);
    await chooseType(/^Microsoft Exchange Impersonation$/);
    await userEvent.type(screen.getByLabelText(/Account Logon/), "svc-sync@contoso.lab");

    await userEvent.click(screen.getByRole("button", { name: /Find EWS URL/ }));

    await waitFor(() =>
      expect(screen.getByLabelText(/EWS URL/)).toHaveValue("https://mail.contoso.lab/EWS/Exchange.asmx"),
    );
    const steps = within(screen.getByRole("list", { name: "Discovery steps tried" })).getAllByRole("listitem");
    expect(steps.map((s) => s.textContent)).toEqual([
      expect.stringMatching(/^failed Microsoft 365 Autodiscover v2 .*not a Microsoft 365 domain$/),
      expect.stringMatching(/^ok Autodiscover POX .*EWS URL found$/),
    ]);
    expect(server.sent("POST /api/orgs/org-1/email-config/discover")[0]?.body).toMatchObject({
      address: "svc-sync@contoso.lab",
    });
  });

  it("signs the service account in through the popup with the Account Logon as hint and shows its state", async () => {
    const auth = fakeAuth();
    const signedIn = emailConfig({
      accessType: "ews_oauth_impersonation",
      accountLogon: "svc-sync@contoso.lab",
      ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
      version: 2,
      serviceAccount: {
        username: "svc-sync@contoso.lab",
        state: "signed_in",
        tokenExpiresAt: new Date(Date.now() + 3600_000).toISOString(),
      },
    });
    const server = backend(
      emailConfig({
        accessType: "ews_oauth_impersonation",
        accountLogon: "svc-sync@contoso.lab",
        ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
        version: 1,
      }),
    ).on("POST /api/orgs/org-1/email-config/service-account", (request) => {
      server.on("GET /api/orgs/org-1/email-config", { body: signedIn });
      return { body: { received: request.body } };
    });
    renderWithSession(<Tab />, server, auth);

    expect(await screen.findByTestId("service-account-state")).toHaveTextContent("Not signed in");
    await userEvent.click(screen.getByRole("button", { name: "Microsoft 365 OAuth (EWS API)" }));

    expect(auth.signInServiceAccount).toHaveBeenCalledWith("svc-sync@contoso.lab");
    expect(server.sent("POST /api/orgs/org-1/email-config/service-account")[0]?.body).toEqual({
      accessToken: "service-account-token",
    });
    await waitFor(() => expect(screen.getByTestId("service-account-state")).toHaveTextContent("Signed in"));
    expect(screen.getByTestId("service-account-details")).toHaveTextContent(
      "Service account: svc-sync@contoso.lab — token valid until",
    );
    expect(auth.signIn).not.toHaveBeenCalled();
  });

  it("runs a check of the unsaved draft, shows progress and counts, then the results with a filter", async () => {
    let polls = 0;
    const server = backend()
      .on("POST /api/orgs/org-1/checks", { status: 202, body: { runId: "run-1" } })
      .on("GET /api/orgs/org-1/checks/run-1", () => {
        polls += 1;
        // The start and the first poll see the run moving; later polls see it finished.
        return polls <= 2
          ? { body: checkRun({ state: "running", done: 1, counts: { ok: 1 }, etaSeconds: 4, finishedAt: null }) }
          : { body: checkRun() };
      })
      .on(
        "GET /api/orgs/org-1/checks/run-1/results",
        resultsAnswer([
          result("alex@contoso.lab"),
          result("megan@contoso.lab"),
          result("adele@contoso.lab", "no_mailbox"),
        ]),
      );
    giveResultsListLayout();
    renderWithSession(<Tab />, server);
    await chooseType(/^Microsoft Exchange Impersonation$/);
    await userEvent.type(screen.getByLabelText(/Account Logon/), "svc-sync@contoso.lab");
    await userEvent.type(screen.getByLabelText(/^Password/), "Sync-Lab-2026!");
    await userEvent.type(screen.getByLabelText(/EWS URL/), "https://mail.contoso.lab/EWS/Exchange.asmx");
    expect(screen.getByTestId("check-warning")).toHaveTextContent("These changes have not been checked");

    await userEvent.click(screen.getByRole("button", { name: "Check Users Exchange Impersonated Access" }));

    expect(await screen.findByText(/1 of 3 users checked, about 4 s left/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Cancel check" })).toBeInTheDocument();
    expect(server.sent("POST /api/orgs/org-1/checks")[0]?.body).toMatchObject({
      scope: { all: true },
      draft: {
        accessType: "ews_basic_impersonation",
        accountLogon: "svc-sync@contoso.lab",
        password: "Sync-Lab-2026!",
      },
    });

    expect(await screen.findByText("Check finished.", {}, { timeout: 3000 })).toBeInTheDocument();
    expect(
      within(screen.getByTestId("category-counts"))
        .getAllByRole("listitem")
        .map((i) => i.textContent),
    ).toEqual(["No mailbox: 1", "Connected: 2"]);
    const list = await screen.findByRole("list", { name: "Results, 3 users" });
    await waitFor(() => expect(within(list).getByText("adele@contoso.lab")).toBeInTheDocument());
    expect(screen.queryByTestId("check-warning")).not.toBeInTheDocument();

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Show" }), "no_mailbox");
    const filtered = await screen.findByRole("list", { name: "Results, 1 user" });
    await waitFor(() => expect(within(filtered).getAllByRole("listitem")).toHaveLength(1));
    expect(within(filtered).getByText(/What to do: Create a mailbox/)).toBeInTheDocument();
  });

  it("explains a check that stops because the service account was refused", async () => {
    const server = backend(
      emailConfig({
        accessType: "ews_basic_impersonation",
        accountLogon: "svc@contoso.lab",
        hasPassword: true,
        ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
        version: 1,
      }),
    )
      .on("POST /api/orgs/org-1/checks", { status: 202, body: { runId: "run-1" } })
      .on("GET /api/orgs/org-1/checks/run-1", {
        body: checkRun({
          state: "auth_failed",
          done: 0,
          counts: {},
          stopReason: {
            category: "auth_failed",
            message: "The service account's credentials or token were refused (HTTP 401).",
            remedy: "Re-enter the password.",
            detail: null,
          },
        }),
      });
    renderWithSession(<Tab />, server);

    await userEvent.click(await screen.findByRole("button", { name: "Check Users Exchange Impersonated Access" }));

    expect(await screen.findByText("Check stopped: the service account was refused.")).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent(
      "credentials or token were refused (HTTP 401). What to do: Re-enter the password.",
    );
    expect(screen.getByTestId("check-warning")).toHaveTextContent("The last check of this configuration failed");
  });

  it("virtualizes 10,000 results: only the rows in view are in the page", async () => {
    giveResultsListLayout();
    const items = Array.from({ length: 500 }, (_, i) => result(`user${i}@contoso.lab`));
    const server = backend(
      emailConfig({
        accessType: "ews_basic_impersonation",
        accountLogon: "svc@contoso.lab",
        hasPassword: true,
        ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
        version: 1,
      }),
    )
      .on("GET /api/orgs/org-1/checks", {
        body: {
          items: [checkRun({ total: 10_000, done: 10_000, counts: { ok: 10_000 }, configVersion: 1, draft: false })],
        },
      })
      .on("GET /api/orgs/org-1/checks/run-1/results", { body: { items, nextCursor: "next" } });
    renderWithSession(<Tab />, server);

    const list = await screen.findByRole("list", { name: "Results, 10000 users" });
    await waitFor(() => expect(within(list).getByText("user0@contoso.lab")).toBeInTheDocument());
    const rows = within(list).getAllByRole("listitem");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(40);
    expect(rows[0]).toHaveAttribute("aria-setsize", "10000");
    expect(server.sent("GET /api/orgs/org-1/checks/run-1/results")).toHaveLength(1);
  });

  const permission = (
    name: string,
    state: "present" | "missing",
    seenIn: "role_assignments" | "token" | null,
    rbacRole: string | null,
  ) => ({
    permission: name,
    usedFor: `using ${name}`,
    state,
    heldAs: state === "present" ? name : null,
    seenIn,
    rbacRole,
  });

  it("shows a Graph run's consent warning, the permissions it needs, per-capability outcomes, the alias's primary address and the settling note", async () => {
    giveResultsListLayout();
    const recheckAfter = "2026-12-02T16:45:00.000Z";
    const settling = {
      changedAt: "2026-12-02T14:45:00.000Z",
      recheckAfter,
      note: "Changes to RBAC for Applications can take up to 2 hours; re-check after 16:45 UTC.",
    };
    const run = checkRun({
      accessType: "graph_app_only",
      total: 3,
      done: 3,
      counts: { ok: 1, calendar_denied: 1, non_primary_address: 1 },
      configVersion: 1,
      draft: false,
      preflight: {
        canProceed: true,
        steps: [],
        warnings: [{ category: "tenant_wide_consent", message: "Mail.Read is consented tenant-wide in Entra ID." }],
        permissions: [
          permission("Mail.Read", "present", "role_assignments", "Application Mail.Read"),
          permission("Calendars.Read", "missing", null, "Application Calendars.Read"),
          permission("Place.Read.All", "missing", null, null),
        ],
        settling,
      },
    });
    const bella = {
      ...result("bella@fabrikam.lab"),
      category: "calendar_denied" as const,
      severity: "warning" as const,
      message: "Mail can be read but the calendar cannot.",
      remedy: "Assign the Application Calendars.Read role.",
      capabilities: { mail: "ok" as const, calendar: "calendar_denied" as const, drafts: null },
    };
    const hana = {
      ...result("hana.alias@fabrikam.lab"),
      category: "non_primary_address" as const,
      severity: "warning" as const,
      message: "The address is an alias.",
      primarySmtpAddress: "hana.schmidt@fabrikam.lab",
      capabilities: { mail: "ok" as const, calendar: "ok" as const, drafts: null },
    };
    const adam = {
      ...result("adam@fabrikam.lab"),
      capabilities: { mail: "ok" as const, calendar: "ok" as const, drafts: null },
    };
    const server = backend(
      emailConfig({
        accessType: "ews_basic_impersonation",
        accountLogon: "svc@contoso.lab",
        hasPassword: true,
        ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
        version: 1,
      }),
    )
      .on("GET /api/orgs/org-1/checks", { body: { items: [run] } })
      .on("GET /api/orgs/org-1/checks/run-1/results", resultsAnswer([adam, bella, hana]));
    renderWithSession(<Tab />, server);

    expect(await screen.findByText("Mail.Read is consented tenant-wide in Entra ID.")).toBeInTheDocument();
    const permissions = within(screen.getByRole("list", { name: "Permissions the product needs" }))
      .getAllByRole("listitem")
      .map((item) => item.textContent);
    expect(permissions).toEqual([
      expect.stringMatching(/^Mail\.Read Present — for using Mail\.Read; consented tenant-wide .*voids the RBAC scope/),
      expect.stringMatching(/^Calendars\.Read Missing — .*Assign the "Application Calendars\.Read" role with RBAC/),
      expect.stringMatching(/^Place\.Read\.All Missing — .*application permission with admin consent in Entra ID\.$/),
    ]);
    const localTime = new Date(recheckAfter).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    expect(screen.getByTestId("settling")).toHaveTextContent(`re-check after ${localTime}.`);
    const list = await screen.findByRole("list", { name: "Results, 3 users" });
    await waitFor(() => expect(within(list).getByText("bella@fabrikam.lab")).toBeInTheDocument());
    // Warnings first, the connected after them.
    await waitFor(() => expect(within(list).getByText("adam@fabrikam.lab")).toBeInTheDocument());
    const row = (email: string) => within(list).getByText(email).closest<HTMLElement>("[role=listitem]")!;
    expect(within(row("bella@fabrikam.lab")).getByTestId("capabilities")).toHaveTextContent(
      "Mail: Connected · Calendar: Calendar denied",
    );
    expect(within(row("bella@fabrikam.lab")).getByTestId("settling-note")).toHaveTextContent(localTime);
    expect(within(row("adam@fabrikam.lab")).queryByTestId("settling-note")).not.toBeInTheDocument();
    expect(
      within(row("hana.alias@fabrikam.lab")).getByText(/Primary address: hana\.schmidt@fabrikam\.lab\./),
    ).toBeInTheDocument();
  });

  it("lists the profiles above the form, and edits the new default once another profile becomes the default", async () => {
    let defaultConfig = emailConfig({ accessType: "ews_basic_impersonation", accountLogon: "svc@contoso.lab" });
    const cloud = profileItem({ id: "profile-cloud", name: "Cloud", isDefault: false, accessType: "graph_app_only" });
    const server = backend()
      .on("GET /api/orgs/org-1/email-config", () => ({ body: defaultConfig }))
      .on("GET /api/orgs/org-1/profiles", { body: { items: [profileItem(), cloud] } })
      .on("POST /api/orgs/org-1/profiles/profile-cloud/default", () => {
        defaultConfig = emailConfig({ accessType: "graph_app_only", version: 5 });
        return { body: { id: cloud.id, name: cloud.name, isDefault: true } };
      });
    renderWithSession(<Tab />, server);

    const list = await screen.findByRole("list", { name: "Connection profiles" });
    expect(await screen.findByLabelText(/Account Logon/)).toHaveValue("svc@contoso.lab");
    await userEvent.click(within(list).getByRole("button", { name: "Set as default: “Cloud”" }));

    await waitFor(() =>
      expect(screen.getByRole("combobox", { name: /Mailbox Access Type/ })).toHaveValue("graph_app_only"),
    );
    expect(server.sent("GET /api/orgs/org-1/email-config").length).toBeGreaterThanOrEqual(2);
  });

  it("opens another profile in the form: its own configuration, Save with its version, and a check of that profile", async () => {
    const cloud = profileItem({ id: "profile-cloud", name: "Cloud", isDefault: false, accessType: "graph_app_only" });
    const cloudConfig = {
      ...emailConfig({
        accessType: "graph_app_only",
        version: 7,
        appOnly: {
          ...emailConfig().appOnly,
          tenantId: "1883be78-5524-49da-9187-b4e534c322a6",
          clientId: "3dfd95b3-6e90-4b65-b311-899c149960bf",
          credentialType: "secret",
          hasClientSecret: true,
        },
      }),
      id: cloud.id,
      name: "Cloud",
      isDefault: false,
    };
    const server = backend(emailConfig({ accessType: "ews_basic_impersonation", accountLogon: "svc@northwind.lab" }))
      .on("GET /api/orgs/org-1/profiles", { body: { items: [profileItem({ name: "On-premises" }), cloud] } })
      .on("GET /api/orgs/org-1/profiles/profile-cloud", { body: cloudConfig })
      .on("PUT /api/orgs/org-1/profiles/profile-cloud", {
        body: { ...cloudConfig, appOnly: { ...cloudConfig.appOnly, clientSecretExpiresAt: "2027-06-30" }, version: 8 },
      })
      .on("POST /api/orgs/org-1/checks", { status: 202, body: { runId: "run-1" } })
      .on("GET /api/orgs/org-1/checks/run-1", { body: checkRun() })
      .on("GET /api/orgs/org-1/checks/run-1/results", resultsAnswer([result("clara.cloud@northwind.lab")]));
    renderWithSession(<Tab />, server);

    expect(await screen.findByRole("heading", { name: "Email Configuration: On-premises" })).toBeInTheDocument();
    expect(await screen.findByLabelText(/Account Logon/)).toHaveValue("svc@northwind.lab");
    const list = await screen.findByRole("list", { name: "Connection profiles" });
    await userEvent.click(within(list).getByRole("button", { name: "Open “Cloud”" }));

    expect(await screen.findByRole("heading", { name: "Email Configuration: Cloud" })).toBeInTheDocument();
    expect(screen.getByText(/for every user checked through “Cloud”/)).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole("combobox", { name: /Mailbox Access Type/ })).toHaveValue("graph_app_only"),
    );
    expect(screen.getByLabelText(/Client ID/)).toHaveValue("3dfd95b3-6e90-4b65-b311-899c149960bf");
    expect(within(within(list).getByRole("listitem", { name: "Cloud" })).getByTestId("open-profile")).toBeVisible();

    // Unsaved changes hold the form on this profile until saved or discarded.
    await userEvent.type(screen.getByLabelText(/Secret expires on/), "2027-06-30");
    const openDefault = within(list).getByRole("button", { name: "Open “On-premises”" });
    expect(openDefault).toHaveAttribute("aria-disabled", "true");
    expect(screen.getByTestId("open-blocked")).toHaveTextContent("Save or discard the changes");

    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByText("The email configuration was saved.");
    const saves = server.sent("PUT /api/orgs/org-1/profiles/profile-cloud");
    expect(saves).toHaveLength(1);
    expect(saves[0]?.headers["if-match"]).toBe('"7"');
    expect(saves[0]?.body).toMatchObject({ accessType: "graph_app_only" });
    expect(server.sent("PUT /api/orgs/org-1/email-config")).toHaveLength(0);

    await userEvent.click(screen.getByRole("button", { name: "Check Users' Mailbox Access" }));
    await waitFor(() => expect(server.sent("POST /api/orgs/org-1/checks")).toHaveLength(1));
    expect(server.sent("POST /api/orgs/org-1/checks")[0]?.body).toMatchObject({
      scope: { all: true },
      profileId: "profile-cloud",
    });
    expect(server.sent("POST /api/orgs/org-1/checks")[0]?.body).not.toHaveProperty("draft");
  });

  it("shows a run over several profiles with one progress line per profile and the profile that stopped", async () => {
    const group = checkRun({
      state: "auth_failed",
      total: 9,
      done: 6,
      counts: { ok: 6 },
      profiles: [
        profileShare("On-premises", { total: 6, done: 6, counts: { ok: 6 } }),
        profileShare("Cloud", {
          accessType: "graph_app_only",
          state: "auth_failed",
          done: 0,
          counts: {},
          stopCategory: "app_not_in_tenant",
        }),
      ],
    });
    const server = backend()
      .on("GET /api/orgs/org-1/checks", { body: { items: [group] } })
      .on("GET /api/orgs/org-1/checks/run-1", { body: group })
      .on("GET /api/orgs/org-1/checks/run-1/results", resultsAnswer([result("oscar.onprem@northwind.lab")]));
    renderWithSession(<Tab />, server);

    const lines = await screen.findByRole("list", { name: "Progress per connection profile" });
    expect(
      within(lines)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual([
      "On-premises: 6 of 6 users checked, 6 connected (finished)",
      "Cloud: 0 of 3 users checked, 0 connected (stopped: its account was refused)",
    ]);
  });

  it("checks every profile at once: one group run, counts per profile and in total, one profile's results and CSV", async () => {
    const group = checkRun({
      state: "completed",
      total: 9,
      done: 9,
      counts: { ok: 6, mailbox_moving: 1, no_mailbox: 2 },
      severityCounts: { ok: 6, warning: 0, transient: 1, error: 2 },
      profiles: [
        profileShare("On-premises", { total: 6, done: 6, counts: { ok: 3, mailbox_moving: 1, no_mailbox: 2 } }),
        profileShare("Cloud", { accessType: "graph_app_only" }),
      ],
    });
    const cloud = profileItem({ id: "profile-Cloud", name: "Cloud", isDefault: false, accessType: "graph_app_only" });
    let polls = 0;
    const server = backend()
      .on("GET /api/orgs/org-1/profiles", {
        body: { items: [profileItem({ id: "profile-On-premises", name: "On-premises" }), cloud] },
      })
      .on("POST /api/orgs/org-1/checks", { status: 202, body: { runId: "run-1" } })
      // Seen running first, then ended: the profiles' last checks are read again.
      .on("GET /api/orgs/org-1/checks/run-1", () => {
        polls += 1;
        return { body: polls === 1 ? { ...group, state: "running", done: 0, counts: {} } : group };
      })
      .on("GET /api/orgs/org-1/checks/run-1/results", (request) =>
        resultsAnswer(
          request.query.get("profile") === "profile-Cloud"
            ? [result("clara.cloud@northwind.lab")]
            : [result("clara.cloud@northwind.lab"), result("oscar.onprem@northwind.lab")],
        )(request),
      )
      .on("GET /api/orgs/org-1/checks/run-1/results.csv", { body: "email,category\n" });
    const browser = fakeBrowser();
    giveResultsListLayout();
    renderWithSession(<Tab />, server, fakeAuth(), browser);

    const panel = await screen.findByRole("region", { name: "Check every profile" });
    await userEvent.click(within(panel).getByRole("button", { name: "Check all profiles" }));
    await waitFor(() => expect(server.sent("POST /api/orgs/org-1/checks")).toHaveLength(1));
    const body = server.sent("POST /api/orgs/org-1/checks")[0]?.body;
    // Every user through their own profile's saved configuration: no profile named, no draft.
    expect(body).toMatchObject({ scope: { all: true } });
    expect(body).not.toHaveProperty("profileId");
    expect(body).not.toHaveProperty("draft");

    const perProfile = await within(panel).findByRole("list", {
      name: "Users per result category, per connection profile",
    });
    const badges = (name: string) =>
      within(within(perProfile).getByRole("list", { name: `Results of “${name}”` }))
        .getAllByRole("listitem")
        .map((item) => item.textContent);
    expect(badges("On-premises")).toEqual(["No mailbox: 2", "Mailbox being moved: 1", "Connected: 3"]);
    expect(badges("Cloud")).toEqual(["Connected: 3"]);
    expect(
      within(within(panel).getByTestId("category-counts"))
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual(["No mailbox: 2", "Mailbox being moved: 1", "Connected: 6"]);
    await within(panel).findByText("oscar.onprem@northwind.lab");
    const listReads = server.sent("GET /api/orgs/org-1/profiles").length;
    expect(listReads).toBeGreaterThanOrEqual(2);

    await userEvent.selectOptions(within(panel).getByRole("combobox", { name: "Profile" }), "Cloud (3)");
    await waitFor(() => expect(within(panel).queryByText("oscar.onprem@northwind.lab")).not.toBeInTheDocument());
    expect(within(panel).getByText("clara.cloud@northwind.lab")).toBeInTheDocument();
    expect(
      within(within(panel).getByRole("combobox", { name: "Show" }))
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["All results (3)", "Connected (3)"]);
    await userEvent.click(within(panel).getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(browser.saveFile).toHaveBeenCalledTimes(1));
    expect(server.sent("GET /api/orgs/org-1/checks/run-1/results.csv")[0]?.query.get("profile")).toBe("profile-Cloud");
  });

  it("replaces an alias by the primary address in one click, then re-checks that user", async () => {
    const hana = {
      ...result("hana.alias@fabrikam.lab"),
      userId: "user-hana",
      category: "non_primary_address" as const,
      severity: "warning" as const,
      message: "The address is an alias.",
      primarySmtpAddress: "hana.schmidt@fabrikam.lab",
    };
    const saved = emailConfig({
      accessType: "ews_basic_impersonation",
      accountLogon: "svc@contoso.lab",
      hasPassword: true,
      ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
      version: 1,
    });
    const run = checkRun({
      draft: false,
      configVersion: 1,
      total: 2,
      done: 2,
      counts: { ok: 1, non_primary_address: 1 },
    });
    const server = backend(saved)
      .on("GET /api/orgs/org-1/checks", { body: { items: [run] } })
      .on("GET /api/orgs/org-1/checks/run-1/results", resultsAnswer([result("adam@fabrikam.lab"), hana]))
      .on("GET /api/orgs/org-1/users", {
        body: {
          items: [
            {
              id: "user-hana",
              email: "hana.alias@fabrikam.lab",
              displayName: "Hana Schmidt",
              role: "user",
              addedBy: "megan.bowen@contoso.lab",
              addedAt: new Date().toISOString(),
              lastCheck: null,
            },
          ],
          nextCursor: null,
        },
      })
      .on("POST /api/orgs/org-1/users", (request) => ({
        status: 201,
        body: { id: "user-hana-2", ...(request.body as object), addedBy: "x", addedAt: "", lastCheck: null },
      }))
      .on("DELETE /api/orgs/org-1/users/user-hana", { status: 204 })
      .on("POST /api/orgs/org-1/checks", { status: 202, body: { runId: "run-2" } })
      .on("GET /api/orgs/org-1/checks/run-2", {
        body: checkRun({ id: "run-2", scope: "list", total: 1, done: 1, counts: { ok: 1 }, draft: false }),
      });
    giveResultsListLayout();
    renderWithSession(<Tab />, server);

    await userEvent.click(await screen.findByRole("button", { name: "Use the primary address" }));

    const done = await screen.findByTestId("primary-address-done");
    expect(done).toHaveTextContent("hana.schmidt@fabrikam.lab is now the user, in place of hana.alias@fabrikam.lab");
    expect(server.sent("GET /api/orgs/org-1/users")[0]?.query.get("search")).toBe("hana.alias@fabrikam.lab");
    expect(server.sent("POST /api/orgs/org-1/users")[0]?.body).toEqual({
      email: "hana.schmidt@fabrikam.lab",
      displayName: "Hana Schmidt",
      role: "user",
    });
    expect(server.sent("DELETE /api/orgs/org-1/users/user-hana")).toHaveLength(1);

    await userEvent.click(within(done).getByRole("button", { name: "Re-check hana.schmidt@fabrikam.lab" }));
    await waitFor(() =>
      expect(server.sent("POST /api/orgs/org-1/checks")[0]?.body).toMatchObject({
        scope: { userIds: ["user-hana-2"] },
      }),
    );
  });

  it("keeps the alias when the primary address cannot be added, and says why", async () => {
    const hana = {
      ...result("hana.alias@fabrikam.lab"),
      userId: "user-hana",
      category: "non_primary_address" as const,
      severity: "warning" as const,
      primarySmtpAddress: "hana.schmidt@fabrikam.lab",
    };
    const run = checkRun({ draft: false, configVersion: 1, total: 1, done: 1, counts: { non_primary_address: 1 } });
    const server = backend(emailConfig({ accessType: "ews_basic_impersonation", version: 1 }))
      .on("GET /api/orgs/org-1/checks", { body: { items: [run] } })
      .on("GET /api/orgs/org-1/checks/run-1/results", resultsAnswer([hana]))
      .on("GET /api/orgs/org-1/users", {
        body: {
          items: [
            {
              id: "user-hana",
              email: hana.email,
              displayName: "Hana",
              role: "user",
              addedBy: "x",
              addedAt: "",
              lastCheck: null,
            },
          ],
          nextCursor: null,
        },
      })
      .on(
        "POST /api/orgs/org-1/users",
        problem(409, "hana.schmidt@fabrikam.lab is already a user of this organization."),
      );
    giveResultsListLayout();
    renderWithSession(<Tab />, server);

    await userEvent.click(await screen.findByRole("button", { name: "Use the primary address" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("hana.schmidt@fabrikam.lab is already a user");
    expect(server.sent("DELETE /api/orgs/org-1/users/user-hana")).toHaveLength(0);
    expect(screen.queryByTestId("primary-address-done")).not.toBeInTheDocument();
  });

  it("lists the organization's canaries beside the form and shows the last run's scope leak above its results", async () => {
    const run = checkRun({ draft: false, configVersion: 1 });
    const server = backend(
      emailConfig({
        accessType: "ews_basic_impersonation",
        accountLogon: "svc@contoso.lab",
        hasPassword: true,
        ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
        version: 1,
      }),
    )
      .on("GET /api/orgs/org-1/checks", { body: { items: [run] } })
      .on("GET /api/orgs/org-1/checks/run-1/results", {
        body: { items: [result("adam@contoso.lab")], nextCursor: null },
      })
      .on("GET /api/orgs/org-1/canaries", { body: canaryList({ items: [canary("sync-canary@contoso.lab")] }) })
      .on("GET /api/orgs/org-1/checks/run-1/canaries", {
        body: {
          items: [
            canaryVerdict("sync-canary@contoso.lab", "leaked", {
              cause: "ApplicationImpersonation without a scope.",
              remedy: "Scope the assignment.",
            }),
          ],
        },
      });
    renderWithSession(<Tab />, server);

    const canaries = await screen.findByRole("region", { name: "Canaries" });
    expect(await within(canaries).findByRole("list", { name: "Canaries" })).toHaveTextContent(
      "sync-canary@contoso.lab",
    );
    // The section lies outside the configuration's form: Enter in its field adds a canary, never saves the form.
    expect(canaries.closest("form")).toBeNull();

    const check = screen.getByRole("region", { name: "Check access" });
    const leak = await within(check).findByTestId("canary-leak");
    expect(leak).toHaveTextContent("sync-canary@contoso.lab is readable");
    expect(leak).toHaveTextContent("Likely cause: ApplicationImpersonation without a scope.");
    const counts = within(check).getByTestId("category-counts");
    expect(leak.compareDocumentPosition(counts) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });
});
