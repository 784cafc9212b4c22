/**
 * Email configuration rules: what each access type requires, which secrets a change of access type drops, the DTO
 * that never carries a secret, and "a blank secret keeps the stored one" (decided by `newSecret`, applied by
 * `applySecretChange`, both here only: the repository seals with it, the resolution opens with it).
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import type { EmailConfigDto, EmailConfigInput } from "../../contract/api.js";
import type { FieldError } from "../errors.js";
import type { EmailConfigChanges, EmailConfigRecord, EmailConfigSummary } from "./repository.js";
import type { GuardVerdict } from "../net/urlGuard.js";
import { NEVER_IN_TEXT, describeFinding, findCharacter } from "../../contract/characters.js";
import { emailAddressProblem } from "../../contract/emailAddress.js";
import { isDownLevelLogon, isGuid, isTenantIdOrDomain } from "../../contract/identifiers.js";

/**
 * What is wrong with an Account Logon (an address, or DOMAIN\user when `downLevel`), or null. A down-level name
 * only goes into the Basic credentials (base64), but never with a character an encoder or a log would alter.
 */
export function accountLogonProblem(logon: string, downLevel: boolean): string | null {
  if (downLevel && !logon.includes("@") && logon.includes("\\")) {
    const finding = findCharacter(logon, NEVER_IN_TEXT);
    if (finding) return describeFinding(finding);
    return isDownLevelLogon(logon) ? null : "must be an email address or DOMAIN\\user logon";
  }
  const problem = emailAddressProblem(logon);
  if (problem === null) return null;
  return `${downLevel ? "must be an email address or DOMAIN\\user logon" : "must be an email address"}: it ${problem}`;
}

export function toEmailConfigDto(record: EmailConfigSummary): EmailConfigDto {
  return {
    orgId: record.orgId,
    accessType: record.accessType,
    ewsUrl: record.ewsUrl,
    accountLogon: record.accountLogon,
    hasPassword: record.hasPassword,
    authentication: record.authentication,
    serviceAccount: { ...record.serviceAccount },
    appOnly: {
      tenantId: record.appOnly.tenantId,
      clientId: record.appOnly.clientId,
      credentialType: record.appOnly.credentialType,
      hasClientSecret: record.appOnly.hasClientSecret,
      certificateThumbprint: record.appOnly.certificateThumbprint,
      clientSecretExpiresAt: record.appOnly.clientSecretExpiresAt,
    },
    version: record.version,
    updatedBy: record.updatedBy,
    updatedAt: record.updatedAt,
  };
}

const blank = (value: string | null | undefined): boolean =>
  value === undefined || value === null || value.trim() === "";

/** What to do with a stored secret: keep it (its field was left blank), replace it, or drop it. */
export type SecretChange = { kind: "keep" } | { kind: "set"; value: string } | { kind: "clear" };

/** The decision: a blank field keeps the stored secret; anything else replaces it. */
export function newSecret(value: string | null | undefined): SecretChange {
  return blank(value) ? { kind: "keep" } : { kind: "set", value: value! };
}

/**
 * Applies a change to what is stored: `stored` when kept, `set(value)` when replaced, null when dropped. The
 * repository passes envelopes and seals; the resolution passes the opened secret and takes the value as it is.
 */
export function applySecretChange<T>(change: SecretChange, stored: T | null, set: (value: string) => T): T | null {
  if (change.kind === "keep") return stored;
  if (change.kind === "clear") return null;
  return set(change.value);
}

/** SHA-1 thumbprint in the upper-case hex form Entra ID shows for uploaded certificates. */
function certificateDetails(
  certificatePem: string,
  privateKeyPem: string,
): { thumbprint: string } | { error: FieldError } {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    return { error: { field: "appOnly.certificatePem", message: "must be a PEM-encoded X.509 certificate" } };
  }
  try {
    const key = createPrivateKey(privateKeyPem);
    if (!certificate.checkPrivateKey(key)) {
      return { error: { field: "appOnly.privateKeyPem", message: "does not match the certificate" } };
    }
  } catch {
    return { error: { field: "appOnly.privateKeyPem", message: "must be an unencrypted PEM private key" } };
  }
  return { thumbprint: certificate.fingerprint.replace(/:/g, "").toUpperCase() };
}

export type UrlGuard = (url: string) => Promise<GuardVerdict>;

/**
 * Turns an admin's input into the next stored state, or the list of fields that break a rule.
 * `current` supplies the secrets a blank field keeps.
 */
export async function planEmailConfigChange(
  current: EmailConfigRecord,
  input: EmailConfigInput,
  guardUrl: UrlGuard,
): Promise<{ changes: EmailConfigChanges } | { errors: FieldError[] }> {
  const errors: FieldError[] = [];
  const accessType = input.accessType;
  const usesEws = accessType !== "graph_app_only";
  const ewsUrl = blank(input.ewsUrl) ? null : input.ewsUrl!.trim();

  if (ewsUrl === null) {
    if (usesEws) errors.push({ field: "ewsUrl", message: "is required for this access type" });
  } else {
    const verdict = await guardUrl(ewsUrl);
    if (!verdict.ok) errors.push({ field: "ewsUrl", message: verdict.reason });
  }

  let accountLogon: string | null = null;
  let password: SecretChange = { kind: "clear" };
  let authentication: EmailConfigChanges["authentication"] = null;
  if (accessType === "ews_basic_impersonation") {
    authentication = input.authentication ?? "automatic";
    accountLogon = blank(input.accountLogon) ? null : input.accountLogon!.trim();
    if (accountLogon === null) errors.push({ field: "accountLogon", message: "is required for this access type" });
    else {
      const problem = accountLogonProblem(accountLogon, true);
      if (problem !== null) errors.push({ field: "accountLogon", message: problem });
    }
    password = newSecret(input.password);
    if (password.kind === "keep" && !current.hasPassword) {
      errors.push({ field: "password", message: "is required (no password is stored yet)" });
    }
  } else if (accessType === "ews_oauth_impersonation") {
    // The service account signs in through the OAuth popup; a logon typed here is only a hint.
    accountLogon = blank(input.accountLogon) ? null : input.accountLogon!.trim();
    const problem = accountLogon === null ? null : accountLogonProblem(accountLogon, false);
    if (problem !== null) errors.push({ field: "accountLogon", message: problem });
  }

  let appTenantId: string | null = null;
  let appClientId: string | null = null;
  let appCredentialType: EmailConfigChanges["appCredentialType"] = null;
  let clientSecret: SecretChange = { kind: "clear" };
  let clientSecretExpiresAt: string | null = null;
  let certificatePem: string | null = null;
  let certificateThumbprint: string | null = null;
  let privateKey: SecretChange = { kind: "clear" };
  if (accessType === "graph_app_only") {
    const appOnly = input.appOnly;
    if (!appOnly) {
      errors.push({ field: "appOnly", message: "is required for this access type" });
    } else {
      appTenantId = appOnly.tenantId.trim();
      appClientId = appOnly.clientId.trim();
      if (!isTenantIdOrDomain(appTenantId)) {
        errors.push({ field: "appOnly.tenantId", message: "must be a tenant GUID or domain" });
      }
      if (!isGuid(appClientId)) errors.push({ field: "appOnly.clientId", message: "must be an application GUID" });
      const hasSecret = !blank(appOnly.clientSecret);
      const hasCertificate = !blank(appOnly.certificatePem) || !blank(appOnly.privateKeyPem);
      if (hasSecret && hasCertificate) {
        errors.push({ field: "appOnly.clientSecret", message: "give a client secret or a certificate, not both" });
      } else if (hasCertificate) {
        if (blank(appOnly.certificatePem)) {
          errors.push({ field: "appOnly.certificatePem", message: "is required with a private key" });
        } else if (blank(appOnly.privateKeyPem)) {
          errors.push({ field: "appOnly.privateKeyPem", message: "is required with a certificate" });
        } else {
          const details = certificateDetails(appOnly.certificatePem!, appOnly.privateKeyPem!);
          if ("error" in details) errors.push(details.error);
          else {
            appCredentialType = "certificate";
            certificatePem = appOnly.certificatePem!.trim();
            certificateThumbprint = details.thumbprint;
            privateKey = { kind: "set", value: appOnly.privateKeyPem! };
          }
        }
      } else if (hasSecret) {
        appCredentialType = "secret";
        clientSecret = { kind: "set", value: appOnly.clientSecret! };
        clientSecretExpiresAt = expiryDate(appOnly.clientSecretExpiresAt ?? null, errors);
      } else if (current.appOnly.credentialType === "secret" && current.appOnly.hasClientSecret) {
        appCredentialType = "secret";
        clientSecret = { kind: "keep" };
        clientSecretExpiresAt =
          appOnly.clientSecretExpiresAt === undefined
            ? current.appOnly.clientSecretExpiresAt
            : expiryDate(appOnly.clientSecretExpiresAt, errors);
      } else if (current.appOnly.credentialType === "certificate" && current.appOnly.hasPrivateKey) {
        appCredentialType = "certificate";
        certificatePem = current.appOnly.certificatePem;
        certificateThumbprint = current.appOnly.certificateThumbprint;
        privateKey = { kind: "keep" };
      } else {
        errors.push({
          field: "appOnly.clientSecret",
          message: "is required (or certificatePem and privateKeyPem): no credential is stored yet",
        });
      }
    }
  }

  if (errors.length > 0) return { errors };
  return {
    changes: {
      accessType,
      ewsUrl,
      accountLogon,
      password,
      authentication,
      appTenantId,
      appClientId,
      appCredentialType,
      clientSecret,
      clientSecretExpiresAt,
      certificatePem,
      certificateThumbprint,
      privateKey,
    },
  };
}

/** A secret's expiry date as YYYY-MM-DD (a real calendar day), or null; a bad one adds its field error. */
function expiryDate(value: string | null, errors: FieldError[]): string | null {
  if (value === null || value.trim() === "") return null;
  const date = value.trim();
  const parsed = new Date(`${date}T00:00:00.000Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
    Number.isNaN(parsed.getTime()) ||
    parsed.toISOString().slice(0, 10) !== date
  ) {
    errors.push({ field: "appOnly.clientSecretExpiresAt", message: `must be a date as YYYY-MM-DD (got "${date}")` });
    return null;
  }
  return date;
}

/** Parses If-Match: "3", W/"3" or 3. Returns null when absent, NaN when malformed. */
export function parseIfMatch(header: string | undefined): number | null {
  if (header === undefined || header.trim() === "") return null;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(header.trim());
  return match?.[1] ? Number(match[1]) : Number.NaN;
}

export const etagOf = (version: number): string => `"${version}"`;
