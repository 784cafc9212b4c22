/** npm run setup:entra: the generated Entra ID PowerShell, its validation and quoting, for each option. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { entraSetup, type EntraSetup, type EntraSetupInput } from "../../../../src/server/cli/entraScript.js";
import { runSetupEntra, UsageError } from "../../../../src/server/cli/setupEntra.js";

const TENANT = "0b7e8c3a-1f2d-4e5a-9b6c-7d8e9f0a1b2c";

function setup(input: Partial<EntraSetupInput> = {}): EntraSetup {
  const result = entraSetup({ tenantId: TENANT, paneUrl: "https://sidebar.contoso.com", appOnly: false, ...input });
  if (!result.ok) throw new Error(`expected a script, got ${JSON.stringify(result.errors)}`);
  return result.setup;
}

describe("the Entra ID setup script", () => {
  it("registers the pane as a SPA with the auth page, the pane and the NAA broker redirect of its origin", () => {
    const { script } = setup({ paneUrl: "https://sidebar.contoso.com:8443/pane/" });
    expect(script).toContain("$paneBase = 'https://sidebar.contoso.com:8443/pane'");
    expect(script).toContain("'https://sidebar.contoso.com:8443/pane/auth.html'");
    expect(script).toContain("'https://sidebar.contoso.com:8443/pane/taskpane.html'");
    expect(script).toContain("'brk-multihub://sidebar.contoso.com:8443'");
    expect(script).toContain("-Spa @{ RedirectUris = $redirectUris }");
    expect(script).toContain("EnableAccessTokenIssuance = $false");
    expect(script).toContain("$tenantId = '0b7e8c3a-1f2d-4e5a-9b6c-7d8e9f0a1b2c'");
    expect(script).toMatch(/Connect-MgGraph -TenantId \$tenantId -Scopes 'Application\.ReadWrite\.All'/);
  });

  it("exposes access_as_user on the backend API with v2 tokens, pre-authorizes the pane and adds a secret", () => {
    const { script } = setup();
    expect(script).toContain('-IdentifierUris @("api://$($api.AppId)")');
    expect(script).toContain("Value = 'access_as_user'");
    expect(script).toContain("RequestedAccessTokenVersion = 2");
    expect(script).toContain(
      "PreAuthorizedApplications = @(@{ AppId = $pane.AppId; DelegatedPermissionIds = @($scopeId) })",
    );
    expect(script).toContain("Get-ScopeId $exchange 'EWS.AccessAsUser.All'");
    expect(script).toContain("$backendSecret = Add-MgApplicationPassword -ApplicationId $api.Id");
    expect(script).toContain('Write-Output "BACKEND_CLIENT_SECRET=$($backendSecret.SecretText)"');
    expect(script).toContain('Write-Output "TOKEN_AUDIENCE=$($api.AppId)"');
    expect(script).toContain('Write-Output "ADDIN_BASE_URL=$paneBase"');
    // Without --app-only: no Graph app, no application permission, no Exchange Online session.
    expect(script).not.toContain("Graph app-only");
    expect(script).not.toContain("AppRoleAssignment");
    expect(script).not.toContain("Connect-ExchangeOnline");
  });

  it("with --app-only adds the Graph app with User.Read.All and Place.Read.All, never a tenant-wide Mail.Read, and the RBAC steps", () => {
    const { script } = setup({ appOnly: true });
    expect(script).toContain('$graphApp = Get-OrNewApplication "$namePrefix Graph app-only"');
    expect(script).toContain("@('User.Read.All', 'Place.Read.All') | ForEach-Object { Get-RoleId $graph $_ }");
    expect(script).toContain("New-MgServicePrincipalAppRoleAssignment");
    expect(script).toContain("'AppRoleAssignment.ReadWrite.All'");
    expect(script).not.toMatch(/Get-RoleId \$graph 'Mail\.Read'/);
    expect(script).not.toMatch(/\$appOnlyRoles = @\([^)]*'(Mail|Calendars)\./);
    expect(script).toContain("Connect-ExchangeOnline");
    expect(script).toContain("New-ServicePrincipal -AppId $graphApp.AppId -ObjectId $graphAppPrincipal.Id");
    expect(script).toContain("Generate PowerShell");
    expect(script).toContain("$graphAppSecret = Add-MgApplicationPassword -ApplicationId $graphApp.Id");
    expect(script).toContain('Write-Output "#   Client ID: $($graphApp.AppId)"');
  });

  it("with --app-certificate uploads that certificate instead of creating an app-only secret", () => {
    const { script } = setup({ appOnly: true, appCertificateFile: "C:\\certs\\sync sidebar's.cer" });
    expect(script).toContain("X509Certificate2]::new('C:\\certs\\sync sidebar''s.cer')");
    expect(script).toContain("Type = 'AsymmetricX509Cert'");
    expect(script).not.toContain("$graphAppSecret = Add-MgApplicationPassword");
  });

  it("embeds the display name as a single-quoted literal, doubling every kind of single quote", () => {
    const { script } = setup({ name: "Contoso’s 'Sidebar' $(Remove-Item C:\\)" });
    expect(script).toContain("$namePrefix = 'Contoso’’s ''Sidebar'' $(Remove-Item C:\\)'");
  });

  it("returns the backend environment and ADDIN_BASE_URL for the tenant and pane", () => {
    const { environment, addinBaseUrl } = setup({ paneUrl: "https://sidebar.contoso.com/pane/" });
    expect(addinBaseUrl).toBe("https://sidebar.contoso.com/pane");
    expect(environment).toContain("ALLOWED_ORIGINS=https://sidebar.contoso.com\n");
    expect(environment).toContain(`TOKEN_ISSUERS=https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(environment).toContain("AUTH_PROTOCOL_MODE=aad");
    expect(environment).toContain("ADDIN_BASE_URL=https://sidebar.contoso.com/pane");
  });

  it.each([
    [{ tenantId: "contoso.onmicrosoft.com" }, "--tenant", /GUID/],
    [{ paneUrl: "http://sidebar.contoso.com" }, "--pane-url", /must use https/],
    [{ paneUrl: "sidebar.contoso.com" }, "--pane-url", /is not a URL/],
    [{ paneUrl: "https://sidebar.contoso.com/?x=1" }, "--pane-url", /query or fragment/],
    [{ paneUrl: "https://side'bar.contoso.com" }, "--pane-url", /DNS host/],
    [{ paneUrl: "https://user:pw@sidebar.contoso.com" }, "--pane-url", /credentials/],
    [{ name: "" }, "--name", /1 to 80/],
    [{ appCertificateFile: "app.cer" }, "--app-certificate", /--app-only/],
  ])("refuses %j, naming %s", (input, field, message) => {
    const result = entraSetup({ tenantId: TENANT, paneUrl: "https://sidebar.contoso.com", appOnly: false, ...input });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([{ field, message: expect.stringMatching(message) as string }]);
  });
});

describe("npm run setup:entra", () => {
  it("writes the script to --out and returns it with the environment", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "entra-"));
    try {
      const out = path.join(dir, "nested", "entra.ps1");
      const result = runSetupEntra(["--tenant", TENANT, "--pane-url", "https://sidebar.contoso.com", "--out", out]);
      expect(result.file).toBe(out);
      expect(await readFile(out, "utf8")).toBe(result.script);
      expect(result.environment).toContain("TOKEN_AUDIENCE=");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [[], /--tenant is required/],
    [["--tenant", TENANT], /--pane-url is required/],
    [["--tenant", TENANT, "--pane-url", "https://a.example", "--bogus"], /Unknown option '--bogus'/],
    [["--tenant", "x", "--pane-url", "http://a.example"], /--tenant must be[\s\S]*--pane-url must use https/],
  ])("refuses %j with a usage message", (argv, message) => {
    const error = (() => {
      try {
        runSetupEntra(argv);
        return null;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain("Usage: npm run setup:entra");
  });
});
