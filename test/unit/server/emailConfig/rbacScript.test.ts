import { describe, expect, it } from "vitest";
import { powerShellLiteral, rbacForApplicationsScript } from "../../../../src/server/emailConfig/rbacScript.js";

const APP_ID = "4f7b2c9e-1a6d-4b38-8e5f-3c0a7d2b9e61";
const OBJECT_ID = "7c1e4b2a-9d3f-4e58-a6b0-2f8d1c9e3a75";

describe("RBAC for Applications PowerShell", () => {
  it("creates the service principal, a group of exactly the org's users, the scope, the role assignment and verifies samples", () => {
    const result = rbacForApplicationsScript({
      appId: APP_ID,
      servicePrincipalObjectId: OBJECT_ID,
      orgName: "Contoso Sales",
      userEmails: ["Adam@Fabrikam.com", "bella@fabrikam.com", "adam@fabrikam.com"],
      sampleSize: 1,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { script } = result;
    expect(script).toContain(`New-ServicePrincipal -AppId $appId -ObjectId $objectId`);
    expect(script).toContain(`$appId = '${APP_ID}'`);
    expect(script).toContain("New-DistributionGroup -Name $displayName -Alias $groupAlias -Type Security");
    expect(script).toContain(`New-ManagementScope -Name $scopeName -RecipientRestrictionFilter $filter`);
    expect(script).toContain(`New-ManagementRoleAssignment -App $objectId -Role $role -CustomResourceScope $scopeName`);
    expect(script).toContain("'Application Mail.Read'");
    // RBAC grants per permission: calendars need their own role on the same scope.
    expect(script).toContain("'Application Calendars.Read'");
    expect(script).toContain("Test-ServicePrincipalAuthorization -Identity $objectId -Resource $sample");
    // Users are de-duplicated case-insensitively; the sample list holds only the first.
    expect(script).toMatch(/\$users = @\(\n {4}'adam@fabrikam.com',\n {4}'bella@fabrikam.com'\n\)/);
    expect(script).toMatch(/\$samples = @\(\n {4}'adam@fabrikam.com'\n\)/);
    expect(script).toContain("$groupAlias = 'syncsidebar-contoso-sales'");
  });

  it("embeds hostile values only as inert single-quoted literals", () => {
    const result = rbacForApplicationsScript({
      appId: APP_ID,
      servicePrincipalObjectId: OBJECT_ID,
      orgName: "O'Brien $(Remove-Mailbox -Identity x) `n ’quoted’",
      userEmails: ["o'neil@contoso.com", "x'$evil`n@contoso.com"],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.script).toContain(
      "$displayName = 'Sync Sidebar - O''Brien $(Remove-Mailbox -Identity x) `n ’’quoted’’'",
    );
    expect(result.script).toContain("'o''neil@contoso.com'");
    expect(result.script).toContain("'x''$evil`n@contoso.com'");
    expect(powerShellLiteral("x’$(evil)‘‚‛")).toBe("'x’’$(evil)‘‘‚‚‛‛'");
    // Every line holding a user value is a complete literal: an even number of quote characters.
    for (const line of result.script.split("\n").filter((text) => text.includes("contoso.com"))) {
      expect((line.match(/['\u2018\u2019\u201A\u201B]/g) ?? []).length % 2).toBe(0);
    }
  });

  it("names each invalid field instead of generating a script", () => {
    const result = rbacForApplicationsScript({
      appId: "not-a-guid",
      servicePrincipalObjectId: OBJECT_ID,
      orgName: "x",
      userEmails: ["fine@contoso.com", "no at sign"],
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: "appId", message: "must be the application (client) id, a GUID" },
        { field: "userEmails[1]", message: "is not an email address: it contains a space at position 3" },
      ],
    });
    expect(
      rbacForApplicationsScript({ appId: APP_ID, servicePrincipalObjectId: OBJECT_ID, orgName: "x", userEmails: [] }),
    ).toMatchObject({
      ok: false,
      errors: [{ field: "userEmails" }],
    });
  });

  it("refuses a literal with a control or bidirectional character instead of dropping it", () => {
    expect(() => powerShellLiteral("alex.wil\u0001ber@contoso.lab")).toThrow(
      "A PowerShell literal cannot carry a control character (U+0001) at position 9",
    );
    expect(() => powerShellLiteral("a\r\nb")).toThrow(/U\+000D/);
    expect(() => powerShellLiteral("admin\u202Egnp.exe")).toThrow(/U\+202E RIGHT-TO-LEFT OVERRIDE/);
  });

  it("names the user whose address a downstream encoder would change, and an org name with a control character", () => {
    const result = rbacForApplicationsScript({
      appId: APP_ID,
      servicePrincipalObjectId: OBJECT_ID,
      orgName: "Contoso\u001b[31m",
      userEmails: ["alex.wil\u0001ber@contoso.lab", "zhang.张伟@contoso.lab"],
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          field: "userEmails[0]",
          message: "is not an email address: it contains a control character (U+0001) at position 9",
        },
        {
          field: "userEmails[1]",
          message: expect.stringContaining("contains a non-ASCII character (张, U+5F20) at position 7") as string,
        },
        { field: "orgName", message: "contains a control character (U+001B) at position 8" },
      ],
    });
  });
});
