import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ActivityTab } from "../../../../src/taskpane/admin/activity/ActivityTab";
import AdminApp from "../../../../src/taskpane/admin/AdminApp";
import type { EmailConfigDraft } from "../../../../src/taskpane/admin/emailConfig/draft";
import { EmailConfigTab } from "../../../../src/taskpane/admin/emailConfig/EmailConfigTab";
import { windowBrowserActions } from "../../../../src/taskpane/browser/browserActions";
import { emailConfig } from "../admin/fixtures";
import { FakeBackend, fakeAuth, me, renderWithSession } from "../admin/harness";
import { fakeBrowser, readBlob } from "./fakeBrowser";

const CLIENT_ID = "5b6f3c2e-9d1a-4e7b-8c3f-2a1d0e9f8b7c";
const OBJECT_ID = "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b";

function appOnlyBackend(protocolMode: "aad" | "oidc" = "aad") {
  const config = emailConfig({
    accessType: "graph_app_only",
    appOnly: {
      tenantId: "contoso.onmicrosoft.com",
      clientId: CLIENT_ID,
      credentialType: "secret",
      hasClientSecret: true,
      clientSecretExpiresAt: null,
      certificateThumbprint: null,
    },
    version: 3,
  });
  return new FakeBackend()
    .on("GET /api/me", { body: me() })
    .on("GET /api/client-config", {
      body: {
        protocolMode,
        apiScopes: [],
        clientId: "spa",
        authority: "x",
        knownAuthorities: [],
        serviceAccountScopes: [],
      },
    })
    .on("GET /api/orgs/org-1/email-config", { body: config })
    .on("GET /api/orgs/org-1/checks", { body: { items: [] } })
    .on("GET /api/orgs/org-1/email-config/rbac-script", { body: { script: "New-ServicePrincipal -AppId x" } })
    .on("GET /api/orgs/org-1/users", { body: { items: [], nextCursor: null } });
}

function Tab() {
  const [draft, setDraft] = useState<EmailConfigDraft | null>(null);
  return <EmailConfigTab orgId="org-1" store={{ draft, setDraft }} onDirtyChange={() => undefined} />;
}

afterEach(() => vi.restoreAllMocks());

describe("Browser actions the pane's components call", () => {
  it("opens Microsoft's admin consent for the app in a pop-up and says when it was blocked", async () => {
    const browser = fakeBrowser();
    renderWithSession(<Tab />, appOnlyBackend(), fakeAuth(), browser);
    const button = await screen.findByRole("button", { name: "Grant admin consent" });
    await waitFor(() => expect(button).toBeEnabled());
    await userEvent.click(button);

    expect(browser.openPopup).toHaveBeenCalledOnce();
    const [url, name] = browser.openPopup.mock.calls[0]!;
    const consent = new URL(url);
    expect(consent.origin + consent.pathname).toBe(
      "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/adminconsent",
    );
    expect(consent.searchParams.get("client_id")).toBe(CLIENT_ID);
    // Only what the product's Entra setup consents: never Mail.Read tenant-wide, which would void the RBAC scope.
    expect(consent.searchParams.get("scope")).toBe(
      "https://graph.microsoft.com/User.Read.All https://graph.microsoft.com/Place.Read.All",
    );
    expect(consent.searchParams.get("redirect_uri")).toBe("https://pane.test/auth.html");
    expect(name).toBe("admin-consent");
    expect(screen.getByText(/Finish admin consent in the window that opened/)).toBeInTheDocument();

    browser.openPopup.mockReturnValueOnce(false);
    await userEvent.click(screen.getByRole("button", { name: "Grant admin consent" }));
    expect(await screen.findByText(/The consent window was blocked/)).toBeInTheDocument();
  });

  it("opens no pop-up against the lab, whose apps need no consent", async () => {
    const browser = fakeBrowser();
    const server = appOnlyBackend("oidc");
    renderWithSession(<Tab />, server, fakeAuth(), browser);
    const consent = await screen.findByRole("button", { name: "Grant admin consent" });
    // The button waits for the client configuration, which says the lab signs in (no Entra consent page).
    await waitFor(() => expect(consent).toBeEnabled());
    expect(server.sent("GET /api/client-config").length).toBeGreaterThan(0);

    await userEvent.click(consent);
    expect(await screen.findByText(/app registrations are already consented/)).toBeInTheDocument();
    expect(screen.getByText(/User.Read.All and Place.Read.All only/)).toBeInTheDocument();
    expect(screen.queryByText(/Mail\.Read application permission/)).toBeNull();
    expect(browser.openPopup).not.toHaveBeenCalled();
  });

  it("copies the generated RBAC script through the clipboard, and says when the browser refused", async () => {
    const browser = fakeBrowser();
    renderWithSession(<Tab />, appOnlyBackend(), fakeAuth(), browser);
    const field = await screen.findByLabelText("Service principal object ID");
    // Disabled with the reason said, not silently.
    const generate = screen.getByRole("button", { name: "Generate PowerShell" });
    expect(generate).toBeDisabled();
    expect(generate).toHaveAccessibleDescription(/enter the service principal object ID/);
    await userEvent.type(field, "not-a-guid");
    expect(screen.getByTestId("rbac-missing")).toHaveTextContent(/must be a GUID/);
    await userEvent.clear(field);
    await userEvent.type(field, OBJECT_ID);
    expect(screen.queryByTestId("rbac-missing")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Generate PowerShell" }));
    expect(await screen.findByTestId("rbac-script")).toHaveTextContent("New-ServicePrincipal -AppId x");

    await userEvent.click(screen.getByRole("button", { name: "Copy script" }));
    expect(browser.copyText).toHaveBeenCalledWith("New-ServicePrincipal -AppId x");
    expect(await screen.findByText("Copied to the clipboard.")).toBeInTheDocument();

    browser.copyText.mockRejectedValueOnce(new DOMException("denied", "NotAllowedError"));
    await userEvent.click(screen.getByRole("button", { name: "Copy script" }));
    expect(await screen.findByText(/Copying was refused by the browser/)).toBeInTheDocument();
  });

  it("saves the exported audit CSV as the file the server named", async () => {
    const browser = fakeBrowser();
    const server = new FakeBackend()
      .on("GET /api/me", { body: me() })
      .on("GET /api/orgs/org-1/audit", { body: { items: [], nextCursor: null } })
      .on("GET /api/orgs/org-1/audit.csv", {
        body: "at,actor\n",
        headers: { "content-disposition": 'attachment; filename="audit-org-1.csv"' },
      });
    renderWithSession(<ActivityTab orgId="org-1" />, server, fakeAuth(), browser);
    await userEvent.click(await screen.findByRole("button", { name: "Export CSV" }));

    await waitFor(() => expect(browser.saveFile).toHaveBeenCalledOnce());
    const [file] = browser.saveFile.mock.calls[0]! as [{ blob: Blob; filename: string }];
    expect(file.filename).toBe("audit-org-1.csv");
    expect(await readBlob(file.blob)).toBe("at,actor\n");
  });

  it("guards the window against closing only while the Email Configuration has unsaved changes", async () => {
    const browser = fakeBrowser();
    renderWithSession(<AdminApp onClose={() => undefined} />, appOnlyBackend(), fakeAuth(), browser);
    const tenant = await screen.findByLabelText(/Tenant ID/);
    expect(browser.guardUnload).not.toHaveBeenCalled();

    await userEvent.type(tenant, "x");
    await waitFor(() => expect(browser.guardUnload).toHaveBeenCalledOnce());
    expect(browser.release).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Discard changes" }));
    await waitFor(() => expect(browser.release).toHaveBeenCalledOnce());
  });
});

describe("The window's browser actions", () => {
  it("reports a pop-up the browser blocked", () => {
    const open = vi
      .spyOn(window, "open")
      .mockReturnValueOnce(null)
      .mockReturnValueOnce({} as Window);
    const browser = windowBrowserActions(window);
    expect(browser.openPopup("https://example.test/", "name", "popup")).toBe(false);
    expect(browser.openPopup("https://example.test/", "name", "popup")).toBe(true);
    expect(open).toHaveBeenCalledWith("https://example.test/", "name", "popup");
  });

  it("asks before the window closes until the guard is released", () => {
    const release = windowBrowserActions(window).guardUnload();
    const guarded = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(guarded);
    expect(guarded.defaultPrevented).toBe(true);

    release();
    const free = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(free);
    expect(free.defaultPrevented).toBe(false);
  });

  it("writes to the clipboard, and fails plainly where the browser offers none", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    const withClipboard = { ...window, location: window.location, navigator: { clipboard: { writeText } } };
    await windowBrowserActions(withClipboard as unknown as Window).copyText("script");
    expect(writeText).toHaveBeenCalledWith("script");

    const without = { ...window, location: window.location, navigator: {} };
    await expect(windowBrowserActions(without as unknown as Window).copyText("script")).rejects.toThrow(/clipboard/);
  });

  it("downloads a file through a link named after it", () => {
    vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:report");
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
    const clicked: Array<{ href: string; download: string }> = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download });
    });
    windowBrowserActions(window).saveFile({ blob: new Blob(["a,b\n"]), filename: "results.csv" });
    expect(clicked).toEqual([{ href: "blob:report", download: "results.csv" }]);
    expect(document.querySelector("a[download]")).toBeNull();
  });
});
