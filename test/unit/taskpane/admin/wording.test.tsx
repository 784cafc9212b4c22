/**
 * The wording rules of the admin view: a server problem's field path lands on its field (with the focus, without a
 * banner, without the older result under it); no category id or audit action id is ever shown as a label; each
 * access type speaks of what it signs in with.
 */
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { EmailConfigDto } from "../../../../src/contract/api";
import { CATEGORY_LIST, type CategoryId } from "../../../../src/contract/categories";
import { AUDIT_ACTION_IDS, AUDIT_ACTION_LABELS, CATEGORY_LABELS } from "../../../../src/contract/labels";
import { ActivityTab } from "../../../../src/taskpane/admin/activity/ActivityTab";
import type { EmailConfigDraft } from "../../../../src/taskpane/admin/emailConfig/draft";
import { EmailConfigTab } from "../../../../src/taskpane/admin/emailConfig/EmailConfigTab";
import { FakeBackend, me, problem, renderWithSession } from "./harness";
import {
  canaryList,
  directorySuggestions,
  checkRun,
  emailConfig,
  profileItem,
  result,
  resultsAnswer,
} from "./fixtures";

function Tab() {
  const [draft, setDraft] = useState<EmailConfigDraft | null>(null);
  return <EmailConfigTab orgId="org-1" store={{ draft, setDraft }} onDirtyChange={() => undefined} />;
}

function backend(config: EmailConfigDto) {
  return new FakeBackend()
    .on("GET /api/me", { body: me() })
    .on("GET /api/orgs/org-1/email-config", { body: config })
    .on("GET /api/orgs/org-1/profiles", { body: { items: [profileItem()] } })
    .on("GET /api/orgs/org-1/checks", { body: { items: [] } })
    .on("GET /api/orgs/org-1/canaries", { body: canaryList() })
    .on("GET /api/orgs/org-1/canaries/suggestions", { body: directorySuggestions() })
    .on("GET /api/orgs/org-1/checks/run-1/canaries", { body: { items: [] } });
}

const SAVED = { version: 3, updatedBy: "megan.bowen@contoso.lab", updatedAt: "2026-12-01T09:00:00.000Z" };
const EWS = emailConfig({
  ...SAVED,
  accessType: "ews_basic_impersonation",
  accountLogon: "svc-sync@contoso.lab",
  hasPassword: true,
  ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
});
const APP = {
  tenantId: "contoso.onmicrosoft.com",
  clientId: "11111111-2222-3333-4444-555555555555",
  hasClientSecret: true,
  certificateThumbprint: null,
  clientSecretExpiresAt: null,
};
const GRAPH_SECRET = emailConfig({
  ...SAVED,
  accessType: "graph_app_only",
  appOnly: { ...APP, credentialType: "secret" },
});
const GRAPH_CERTIFICATE = emailConfig({
  ...SAVED,
  accessType: "graph_app_only",
  appOnly: { ...APP, credentialType: "certificate", hasClientSecret: false, certificateThumbprint: "AB12" },
});

/** Every field path the server names for the Email Configuration, the field it lands on, and its label. */
const FIELD_CASES: Array<[path: string, config: EmailConfigDto, fieldId: string, sentence: string]> = [
  ["draft.accessType", EWS, "ec-accessType", "Mailbox Access Type is not supported."],
  ["draft.accountLogon", EWS, "ec-accountLogon", "Account Logon is not supported."],
  ["draft.password", EWS, "ec-password", "Password is not supported."],
  ["draft.authentication", EWS, "ec-authentication", "Authentication is not supported."],
  ["draft.ewsUrl", EWS, "ec-ewsUrl", "EWS URL is not supported."],
  ["draft.appOnly", GRAPH_SECRET, "ec-appOnly-tenantId", "The app registration is not supported."],
  ["draft.appOnly.tenantId", GRAPH_SECRET, "ec-appOnly-tenantId", "Tenant ID is not supported."],
  ["draft.appOnly.clientId", GRAPH_SECRET, "ec-appOnly-clientId", "Client ID is not supported."],
  ["draft.appOnly.clientSecret", GRAPH_SECRET, "ec-appOnly-clientSecret", "Client secret is not supported."],
  [
    "draft.appOnly.clientSecretExpiresAt",
    GRAPH_SECRET,
    "ec-appOnly-clientSecretExpiresAt",
    "Secret expires on is not supported.",
  ],
  [
    "draft.appOnly.certificatePem",
    GRAPH_CERTIFICATE,
    "ec-appOnly-certificatePem",
    "Certificate (PEM) is not supported.",
  ],
  ["draft.appOnly.privateKeyPem", GRAPH_CERTIFICATE, "ec-appOnly-privateKeyPem", "Private key (PEM) is not supported."],
];

describe("a server problem's field path lands on its field", () => {
  it.each(FIELD_CASES)(
    "%s: the field shows it and has the focus, no banner, no older result",
    async (path, config, id, sentence) => {
      const older = checkRun({ accessType: config.accessType ?? "", draft: false, configVersion: 3 });
      const server = backend(config)
        .on("GET /api/orgs/org-1/checks", { body: { items: [older] } })
        .on("POST /api/orgs/org-1/checks", problem(400, "Bad Request", [{ field: path, message: "is not supported" }]));
      renderWithSession(<Tab />, server);
      // The older run's counts are in view until the refused check.
      await screen.findByTestId("category-counts");

      const check =
        config.accessType === "graph_app_only"
          ? "Check Users' Mailbox Access"
          : "Check Users Exchange Impersonated Access";
      await userEvent.click(screen.getByRole("button", { name: check }));

      expect(await screen.findByText(sentence)).toBeInTheDocument();
      await waitFor(() => expect(document.activeElement?.id).toBe(id));
      expect(document.getElementById(id)).toHaveAttribute("aria-invalid", "true");
      // The field's own message is the only alert: no banner beside it.
      expect(screen.getAllByRole("alert").map((alert) => alert.textContent)).toEqual([sentence]);
      expect(screen.queryByText(/Correct the fields marked/)).not.toBeInTheDocument();
      expect(screen.queryByTestId("category-counts")).not.toBeInTheDocument();
    },
  );

  it("says how many fields need attention in good grammar", async () => {
    renderWithSession(
      <Tab />,
      backend(
        emailConfig({
          ...SAVED,
          accessType: "ews_basic_impersonation",
          accountLogon: "svc@contoso.lab",
          hasPassword: true,
        }),
      ),
    );
    await userEvent.click(await screen.findByRole("button", { name: "Check Users Exchange Impersonated Access" }));
    expect(await screen.findByText("1 field needs attention.")).toBeInTheDocument();
  });
});

describe("no id is shown as a label", () => {
  const ids: string[] = [...CATEGORY_LIST.map((category) => category.id), ...AUDIT_ACTION_IDS];

  it("gives every category and audit action a label that is not an id", () => {
    for (const category of CATEGORY_LIST) expect(CATEGORY_LABELS[category.id]).not.toMatch(/^[a-z_.]+$/);
    for (const action of AUDIT_ACTION_IDS) expect(AUDIT_ACTION_LABELS[action]).not.toMatch(/^[a-z_.]+$/);
    expect(new Set(Object.values(CATEGORY_LABELS)).size).toBe(CATEGORY_LIST.length);
  });

  it("shows category labels on the chips, in the filter and on each result, never a category id", async () => {
    const spies = [
      vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(4000),
      vi.spyOn(HTMLElement.prototype, "offsetHeight", "get").mockReturnValue(40),
    ];
    onTestFinished(() => spies.forEach((spy) => spy.mockRestore()));
    const counts = Object.fromEntries(CATEGORY_LIST.map((category) => [category.id, 1])) as Record<CategoryId, number>;
    const run = checkRun({
      draft: false,
      configVersion: 3,
      total: CATEGORY_LIST.length,
      done: CATEGORY_LIST.length,
      counts,
    });
    const results = CATEGORY_LIST.map((category) => ({
      ...result(`${category.id.replaceAll("_", "-")}@contoso.lab`),
      category: category.id,
      severity: category.severity,
    }));
    const server = backend(EWS)
      .on("GET /api/orgs/org-1/checks", { body: { items: [run] } })
      .on("GET /api/orgs/org-1/checks/run-1/results", resultsAnswer(results));
    renderWithSession(<Tab />, server);

    const chips = within(await screen.findByTestId("category-counts")).getAllByRole("listitem");
    expect(chips).toHaveLength(CATEGORY_LIST.length);
    const options = within(screen.getByRole("combobox", { name: "Show" })).getAllByRole("option");
    const list = await screen.findByRole("list", { name: `Results, ${CATEGORY_LIST.length} users` });
    await waitFor(() => expect(within(list).getAllByRole("listitem").length).toBeGreaterThan(5));
    const badges = [...list.querySelectorAll("[data-category]")];
    const shown = [...chips, ...options, ...badges].map((element) => element.textContent ?? "");
    for (const text of shown) {
      for (const id of ids) expect(text.replace(/[:(]\s*\d+\)?$/, "").trim()).not.toBe(id);
      expect(text).not.toMatch(/\b[a-z]+_[a-z_]+\b/);
    }
  });

  it("shows every audit action by its label and its details as fields, never an action id or JSON", async () => {
    const items = AUDIT_ACTION_IDS.map((action, index) => ({
      id: String(index),
      at: "2026-12-01T10:00:00.000Z",
      actor: "megan.bowen@contoso.lab",
      action,
      target: null,
      before: { role: "user" },
      after: { role: "admin", appOnly: { clientSecret: "[redacted]" } },
    }));
    const server = new FakeBackend()
      .on("GET /api/me", { body: me() })
      .on("GET /api/orgs/org-1/audit", { body: { items, nextCursor: null } });
    renderWithSession(<ActivityTab orgId="org-1" />, server);

    const table = await screen.findByRole("table", { name: "Audit trail, newest first" });
    await within(table).findByText(`megan.bowen@contoso.lab: ${AUDIT_ACTION_LABELS["org.create"]}`);
    const text = table.textContent ?? "";
    for (const action of AUDIT_ACTION_IDS) expect(text).not.toContain(action);
    expect(text).not.toMatch(/[{}"]/);
    expect(within(table).getAllByText("Role: user → admin")).toHaveLength(AUDIT_ACTION_IDS.length);
    expect(within(table).getAllByText("App registration › Client secret: (hidden)")).toHaveLength(
      AUDIT_ACTION_IDS.length,
    );
  });
});

describe("each access type in its own words", () => {
  it("app-only names the app registration, never the service account or Exchange impersonation", async () => {
    const refused = checkRun({
      accessType: "graph_app_only",
      state: "auth_failed",
      draft: false,
      configVersion: 3,
      done: 0,
      counts: {},
      stopReason: {
        category: "secret_expired",
        message: "The client secret has expired.",
        remedy: "Create a new one.",
        detail: null,
      },
    });
    renderWithSession(<Tab />, backend(GRAPH_SECRET).on("GET /api/orgs/org-1/checks", { body: { items: [refused] } }));

    expect(await screen.findByRole("button", { name: "Check Users' Mailbox Access" })).toBeInTheDocument();
    expect(screen.getByText("Check stopped: the app registration was refused.")).toBeInTheDocument();
    const text = document.body.textContent ?? "";
    expect(text).not.toContain("Check Users Exchange Impersonated Access");
    expect(text).not.toContain("the service account was refused");
  });

  it("shows the RBAC for Applications settling note for app-only only, never for on-premises EWS", async () => {
    const settling = {
      changedAt: new Date().toISOString(),
      recheckAfter: new Date(Date.now() + 3_600_000).toISOString(),
      note: "Changes to RBAC for Applications can take up to 2 hours.",
    };
    const ewsRun = checkRun({
      draft: false,
      configVersion: 3,
      counts: { impersonation_denied: 1, ok: 2 },
      preflight: { canProceed: true, steps: [], warnings: [], settling },
    });
    renderWithSession(<Tab />, backend(EWS).on("GET /api/orgs/org-1/checks", { body: { items: [ewsRun] } }));
    await screen.findByTestId("category-counts");
    expect(screen.queryByTestId("settling")).not.toBeInTheDocument();
    expect(screen.queryByText(/RBAC for Applications/)).not.toBeInTheDocument();
  });
});
