/**
 * What the product's Entra ID setup consents for the app-only registration (`npm run setup:entra`, and the pane's
 * "Grant admin consent"): directory and room permissions only, never mailbox content. Mail and calendar access comes
 * from Exchange Online's RBAC for Applications, scoped to the organization's users; a tenant-wide Mail.Read consent
 * would void that scope (grants add up, see DOMAIN.md).
 */
export const APP_ONLY_CONSENTED_GRAPH_PERMISSIONS = ["User.Read.All", "Place.Read.All"] as const;

const GRAPH_RESOURCE = "https://graph.microsoft.com";

/**
 * Microsoft's v2 admin-consent URL asking for exactly those permissions (not whatever the registration lists), so
 * a Global Administrator cannot grant Mail.Read tenant-wide from here by accident.
 */
export function adminConsentUrl(tenantId: string, clientId: string, redirectUri: string): string {
  const params = new URLSearchParams({
    client_id: clientId,
    scope: APP_ONLY_CONSENTED_GRAPH_PERMISSIONS.map((permission) => `${GRAPH_RESOURCE}/${permission}`).join(" "),
    redirect_uri: redirectUri,
  });
  return `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/v2.0/adminconsent?${params.toString()}`;
}
