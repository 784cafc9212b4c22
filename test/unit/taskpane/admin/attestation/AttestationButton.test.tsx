import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ATTESTATION_FORMAT, type AttestationDto } from "../../../../../src/contract/attestation";
import { AttestationButton } from "../../../../../src/taskpane/admin/attestation/AttestationButton";
import { fakeBrowser, readBlob } from "../../browser/fakeBrowser";
import { canaryVerdict } from "../fixtures";
import { FakeBackend, ORG, fakeAuth, findDialog, me, problem, renderWithSession } from "../harness";

const RUN = "run-7";
const ATTESTATION_PATH = `GET /api/orgs/${ORG.id}/checks/${RUN}/attestation`;

function attestation(canaries: AttestationDto["document"]["canaries"] = []): AttestationDto {
  return {
    jws: "eyJhbGciOiJFZERTQSJ9.eyJmb3JtYXQiOiJ4In0.c2lnbmF0dXJl",
    keyId: "att-1",
    document: {
      format: ATTESTATION_FORMAT,
      product: { name: "Sync Sidebar", version: "0.1.0" },
      issuedAt: "2026-12-07T10:00:00.000Z",
      issuedTo: "megan.bowen@contoso.lab",
      organization: { id: ORG.id, name: "Contoso Lab" },
      profiles: [
        {
          name: "Email Configuration",
          accessType: "ews_basic_impersonation",
          serviceAccount: "svc-sync@contoso.lab",
          appId: null,
          tenantId: null,
          ewsUrl: "https://mail.contoso.lab/EWS/Exchange.asmx",
          configVersion: 3,
          configurationCurrent: true,
        },
      ],
      run: {
        id: RUN,
        state: "completed",
        depth: "read",
        trigger: "manual",
        scope: "all",
        startedAt: "2026-12-07T09:59:00.000Z",
        finishedAt: "2026-12-07T09:59:30.000Z",
        total: 2,
        done: 2,
        stopReason: null,
      },
      permissions: [],
      preflight: {
        canProceed: true,
        steps: [{ step: "GetFolder (service account)", ok: true, category: "ok", durationMs: 3 }],
        warnings: [],
      },
      summary: {
        severityCounts: { ok: 1, warning: 0, error: 1, transient: 0 },
        counts: { ok: 1, impersonation_denied: 1 },
      },
      users: [
        {
          userId: "u1",
          email: "alex@contoso.lab",
          category: "ok",
          severity: "ok",
          capabilities: null,
          primarySmtpAddress: null,
          checkedAt: "2026-12-07T09:59:10.000Z",
        },
        {
          userId: "u2",
          email: "zoe@contoso.lab",
          category: "impersonation_denied",
          severity: "error",
          capabilities: null,
          primarySmtpAddress: null,
          checkedAt: "2026-12-07T09:59:11.000Z",
        },
      ],
      canaries,
    },
  };
}

describe("the signed attestation of a check run", () => {
  it("shows the statement with failing users first, and downloads the signature as one JSON document", async () => {
    const backend = new FakeBackend().on("GET /api/me", { body: me() }).on(ATTESTATION_PATH, { body: attestation() });
    const browser = fakeBrowser();
    renderWithSession(<AttestationButton orgId={ORG.id} runId={RUN} />, backend, fakeAuth(), browser);

    await userEvent.click(await screen.findByRole("button", { name: "Signed attestation" }));
    const dialog = await findDialog("Access attestation");
    const document = await within(dialog).findByTestId("attestation-document");
    expect(document).toHaveTextContent("Contoso Lab");
    expect(document).toHaveTextContent("svc-sync@contoso.lab");
    expect(document).toHaveTextContent("Microsoft Exchange Impersonation");
    const users = within(document).getByRole("list", { name: "Users and their verdicts", hidden: true });
    const rows = within(users)
      .getAllByRole("listitem", { hidden: true })
      .map((row) => row.textContent ?? "");
    expect(rows[0]).toContain("zoe@contoso.lab");
    expect(rows[0]).toContain("may not impersonate");
    expect(rows[1]).toContain("alex@contoso.lab");

    await userEvent.click(within(dialog).getByRole("button", { name: "Download signed JSON", hidden: true }));
    expect(browser.saveFile).toHaveBeenCalledOnce();
    const file = browser.saveFile.mock.calls[0]![0] as { blob: Blob; filename: string };
    expect(file.filename).toBe(`access-attestation-${RUN}.json`);
    const text = await readBlob(file.blob);
    const saved = JSON.parse(text) as { payload: string; signatures: Array<Record<string, string>> };
    const [protectedHeader, payload, signature] = attestation().jws.split(".");
    expect(saved).toEqual({ payload, signatures: [{ protected: protectedHeader, signature }] });

    await userEvent.click(within(dialog).getByRole("button", { name: "Print", hidden: true }));
    expect(browser.print).toHaveBeenCalledOnce();
  });

  it("lists the canaries' verdicts, the leak first with its cause and remedy", async () => {
    const canaries = [
      canaryVerdict("archive@contoso.lab", "refused"),
      canaryVerdict("sync-canary@contoso.lab", "leaked", {
        leaked: ["mail"],
        cause: "ApplicationImpersonation without a scope.",
        remedy: "Scope the assignment.",
      }),
    ];
    const backend = new FakeBackend()
      .on("GET /api/me", { body: me() })
      .on(ATTESTATION_PATH, { body: attestation(canaries) });
    renderWithSession(<AttestationButton orgId={ORG.id} runId={RUN} />, backend, fakeAuth(), fakeBrowser());

    await userEvent.click(await screen.findByRole("button", { name: "Signed attestation" }));
    const dialog = await findDialog("Access attestation");
    const list = await within(dialog).findByRole("list", { name: "Canaries and their verdicts", hidden: true });
    const rows = within(list).getAllByRole("listitem", { hidden: true });
    expect(rows.map((row) => row.dataset.verdict)).toEqual(["leaked", "refused"]);
    expect(rows[0]).toHaveTextContent(/^Scope leak: canary readable sync-canary@contoso\.lab: Its mail could be read/);
    expect(rows[0]).toHaveTextContent("Likely cause: ApplicationImpersonation without a scope.");
    expect(rows[0]).toHaveTextContent("What to do: Scope the assignment.");
    expect(rows[1]).toHaveTextContent(
      /^Refused archive@contoso\.lab: The server refused it \(Impersonation denied for this user\)/,
    );
  });

  it("says so when the run probed no canary: the statement covers what is reachable only", async () => {
    const backend = new FakeBackend().on("GET /api/me", { body: me() }).on(ATTESTATION_PATH, { body: attestation() });
    renderWithSession(<AttestationButton orgId={ORG.id} runId={RUN} />, backend, fakeAuth(), fakeBrowser());

    await userEvent.click(await screen.findByRole("button", { name: "Signed attestation" }));
    const dialog = await findDialog("Access attestation");
    expect(await within(dialog).findByText(/^No canary was probed/)).toBeInTheDocument();
    expect(within(dialog).queryByRole("list", { name: "Canaries and their verdicts", hidden: true })).toBeNull();
  });

  it("says why the server refused, and offers no download", async () => {
    const backend = new FakeBackend()
      .on("GET /api/me", { body: me() })
      .on(ATTESTATION_PATH, problem(409, "This run checked an unsaved configuration."));
    renderWithSession(<AttestationButton orgId={ORG.id} runId={RUN} />, backend, fakeAuth(), fakeBrowser());

    await userEvent.click(await screen.findByRole("button", { name: "Signed attestation" }));
    const dialog = await findDialog("Access attestation");
    await waitFor(() => expect(dialog).toHaveTextContent("unsaved configuration"));
    expect(within(dialog).getByRole("button", { name: "Download signed JSON", hidden: true })).toBeDisabled();
  });
});
