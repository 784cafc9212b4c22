/**
 * The Email Configuration form's draft: what the admin has typed, its validation (the server's rules, so most
 * mistakes show before a round trip), and the EmailConfigInput it becomes for Save or a check of the unsaved draft.
 */
import type { EmailConfigDto, EmailConfigInput } from "../../../contract/api";
import { ACCESS_TYPES, type AccessTypeId, type EwsAuthentication } from "../../../contract/accessTypes";
import { isEmailAddress } from "../../../contract/emailAddress";
import { isDownLevelLogon, isGuid, isTenantIdOrDomain } from "../../../contract/identifiers";

export interface EmailConfigDraft {
  accessType: AccessTypeId | "";
  ewsUrl: string;
  accountLogon: string;
  /** Write-only: blank keeps the stored password. */
  password: string;
  /** Microsoft Exchange Impersonation: how the service account signs in. */
  authentication: EwsAuthentication;
  tenantId: string;
  clientId: string;
  credentialType: "secret" | "certificate";
  /** Write-only: blank keeps the stored secret. */
  clientSecret: string;
  /** The secret's expiry date (YYYY-MM-DD) as Entra ID shows it, for the expiry alert; blank for none. */
  clientSecretExpiresAt: string;
  certificatePem: string;
  privateKeyPem: string;
}

export type FieldErrors = Record<string, string>;

/** The form's fields top to bottom, as the server names them. */
export const FIELD_ORDER: readonly string[] = [
  "accessType",
  "accountLogon",
  "password",
  "authentication",
  "ewsUrl",
  "appOnly.tenantId",
  "appOnly.clientId",
  "appOnly.clientSecret",
  "appOnly.clientSecretExpiresAt",
  "appOnly.certificatePem",
  "appOnly.privateKeyPem",
];

/** Server paths that name a group of fields: their error lands on the group's first field. */
const FIELD_GROUPS: Readonly<Record<string, string>> = {
  appOnly: "appOnly.tenantId",
  "appOnly.credentialType": "appOnly.clientSecret",
};

/** Every path the form shows at a field of its own (its fields and their groups). */
export const FORM_FIELD_PATHS: readonly string[] = [...FIELD_ORDER, ...Object.keys(FIELD_GROUPS)];

/** A server problem's field errors on the form's own fields, as sentences; fields the form lacks are left out. */
export function formFieldErrors(messages: Record<string, string>): FieldErrors {
  const errors: FieldErrors = {};
  for (const [field, message] of Object.entries(messages)) {
    const target = FIELD_ORDER.includes(field) ? field : FIELD_GROUPS[field];
    if (target) errors[target] ??= message;
  }
  return errors;
}

/** The topmost field with an error, to move the focus to. */
export function firstInvalidField(errors: FieldErrors): string | undefined {
  return FIELD_ORDER.find((name) => errors[name]);
}

export function draftFrom(config: EmailConfigDto): EmailConfigDraft {
  return {
    accessType: config.accessType ?? "",
    ewsUrl: config.ewsUrl ?? "",
    accountLogon: config.accountLogon ?? "",
    password: "",
    authentication: config.authentication,
    tenantId: config.appOnly.tenantId ?? "",
    clientId: config.appOnly.clientId ?? "",
    credentialType: config.appOnly.credentialType ?? "secret",
    clientSecret: "",
    clientSecretExpiresAt: config.appOnly.clientSecretExpiresAt ?? "",
    certificatePem: "",
    privateKeyPem: "",
  };
}

export function isDirty(draft: EmailConfigDraft, saved: EmailConfigDto): boolean {
  const base = draftFrom(saved);
  return (Object.keys(base) as Array<keyof EmailConfigDraft>).some((key) => draft[key] !== base[key]);
}

/** The field errors the server would return for this draft, checked in the pane first. */
export function validateDraft(draft: EmailConfigDraft, saved: EmailConfigDto): FieldErrors {
  const errors: FieldErrors = {};
  if (draft.accessType === "") {
    errors.accessType = "Choose how Sync Sidebar reaches your users' mailboxes.";
    return errors;
  }
  const usesEws = ACCESS_TYPES[draft.accessType].protocol === "ews";
  const url = draft.ewsUrl.trim();
  if (url === "" && usesEws) errors.ewsUrl = "Enter the EWS URL, or use the magic wand to find it.";
  else if (url !== "") {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (!parsed) errors.ewsUrl = "Enter a full URL, e.g. https://mail.contoso.com/EWS/Exchange.asmx.";
    else if (parsed.protocol !== "https:") errors.ewsUrl = "The EWS URL must start with https://.";
  }
  const logon = draft.accountLogon.trim();
  if (draft.accessType === "ews_basic_impersonation") {
    if (logon === "") errors.accountLogon = "Enter the service account's DOMAIN\\user logon, UPN or email address.";
    else if (!isEmailAddress(logon) && !isDownLevelLogon(logon)) {
      errors.accountLogon = "Enter a DOMAIN\\user logon, a UPN or an email address.";
    }
    if (draft.password === "" && !saved.hasPassword) errors.password = "Enter the service account's password.";
  }
  if (draft.accessType === "ews_oauth_impersonation" && logon !== "" && !isEmailAddress(logon)) {
    errors.accountLogon = "Enter the service account's email address.";
  }
  if (draft.accessType === "graph_app_only") {
    const tenant = draft.tenantId.trim();
    if (!isTenantIdOrDomain(tenant)) {
      errors["appOnly.tenantId"] = "Enter the tenant ID (a GUID) or its domain, e.g. contoso.onmicrosoft.com.";
    }
    if (!isGuid(draft.clientId.trim())) errors["appOnly.clientId"] = "Enter the application (client) ID, a GUID.";
    if (draft.credentialType === "secret") {
      if (draft.clientSecret === "" && !(saved.appOnly.credentialType === "secret" && saved.appOnly.hasClientSecret)) {
        errors["appOnly.clientSecret"] = "Enter the client secret.";
      }
      const expires = draft.clientSecretExpiresAt.trim();
      if (expires !== "" && (!/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(Date.parse(expires)))) {
        errors["appOnly.clientSecretExpiresAt"] = "Enter the date the secret expires, e.g. 2027-06-30.";
      }
    } else {
      // A stored certificate is kept when both fields stay blank; a new one needs both parts.
      const keepStored =
        saved.appOnly.credentialType === "certificate" &&
        draft.certificatePem.trim() === "" &&
        draft.privateKeyPem.trim() === "";
      if (!keepStored) {
        if (draft.certificatePem.trim() === "") errors["appOnly.certificatePem"] = "Paste the certificate (PEM).";
        if (draft.privateKeyPem.trim() === "") {
          errors["appOnly.privateKeyPem"] = "Paste the certificate's private key (PEM).";
        }
      }
    }
  }
  return errors;
}

export function toInput(draft: EmailConfigDraft): EmailConfigInput {
  if (draft.accessType === "") throw new Error("toInput needs an access type");
  const input: EmailConfigInput = { accessType: draft.accessType, ewsUrl: draft.ewsUrl.trim() || null };
  if (draft.accessType === "ews_basic_impersonation" || draft.accessType === "ews_oauth_impersonation") {
    input.accountLogon = draft.accountLogon.trim() || null;
  }
  if (draft.accessType === "ews_basic_impersonation" && draft.password !== "") input.password = draft.password;
  if (draft.accessType === "ews_basic_impersonation") input.authentication = draft.authentication;
  if (draft.accessType === "graph_app_only") {
    input.appOnly = {
      tenantId: draft.tenantId.trim(),
      clientId: draft.clientId.trim(),
      ...(draft.credentialType === "secret" && draft.clientSecret !== "" ? { clientSecret: draft.clientSecret } : {}),
      // Sent with every secret configuration: a blank date clears the stored one (it feeds the expiry alert).
      ...(draft.credentialType === "secret"
        ? { clientSecretExpiresAt: draft.clientSecretExpiresAt.trim() || null }
        : {}),
      ...(draft.credentialType === "certificate" && draft.privateKeyPem.trim() !== ""
        ? { certificatePem: draft.certificatePem.trim(), privateKeyPem: draft.privateKeyPem }
        : {}),
    };
  }
  return input;
}
