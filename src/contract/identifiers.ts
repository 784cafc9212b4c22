/** Identifier rules both sides apply: GUIDs, domain names (tenants, Autodiscover) and down-level logons. */

/** A GUID's text (8-4-4-4-12 hex digits), for building larger patterns (issuer templates). */
export const GUID_SOURCE = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

const GUID = new RegExp(`^${GUID_SOURCE}$`, "i");
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const DOWN_LEVEL_LOGON = /^[^\\/\s]+\\[^\\/\s]+$/;

/** An Entra tenant, application or object id. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** A DNS domain name (contoso.com): a tenant named by one of its domains, or where Autodiscover looks. */
export function isDomainName(value: string): boolean {
  return DOMAIN_NAME.test(value);
}

/** A tenant id as Entra accepts it: its GUID or one of its domains. */
export function isTenantIdOrDomain(value: string): boolean {
  return isGuid(value) || isDomainName(value);
}

/** An on-premises account named the Windows way, `CONTOSO\svc-sync`. */
export function isDownLevelLogon(value: string): boolean {
  return DOWN_LEVEL_LOGON.test(value);
}
