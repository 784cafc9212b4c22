/**
 * Turns the organization's saved email configuration, or an unsaved draft validated exactly like PUT email-config,
 * into the decrypted ResolvedEmailConfig a mailbox driver needs. Secrets a draft leaves out fall back to the stored
 * ones. Problems come back as field errors (422), never as a half-built configuration.
 */
import type { EmailConfigInput } from "../../contract/api.js";
import type { FieldError } from "../errors.js";
import type { ResolvedEmailConfig } from "../exchange/config.js";
import type { EmailConfigChanges, EmailConfigRecord, EmailCredentials } from "./repository.js";
import { applySecretChange, planEmailConfigChange, type UrlGuard } from "./rules.js";

export type Resolution = { ok: true; config: ResolvedEmailConfig } | { ok: false; errors: FieldError[] };

interface ResolveContext {
  record: EmailConfigRecord;
  credentials: EmailCredentials;
  /** The organization's Entra tenant: the EWS OAuth service account signs in there. */
  orgTenantId: string | null;
}

function fromChanges(changes: EmailConfigChanges, context: ResolveContext, prefix: string): Resolution {
  const { record, credentials } = context;
  const secret = (change: EmailConfigChanges["password"], stored: string | null): string | null =>
    applySecretChange(change, stored, (value) => value);
  switch (changes.accessType) {
    case "ews_basic_impersonation": {
      const password = secret(changes.password, credentials.password);
      if (changes.ewsUrl === null || changes.accountLogon === null || password === null) {
        return { ok: false, errors: [{ field: `${prefix}password`, message: "is required (no password is stored)" }] };
      }
      return {
        ok: true,
        config: {
          accessType: "ews_basic_impersonation",
          ewsUrl: changes.ewsUrl,
          accountLogon: changes.accountLogon,
          password,
          authentication: changes.authentication ?? "automatic",
        },
      };
    }
    case "ews_oauth_impersonation": {
      if (changes.ewsUrl === null) return { ok: false, errors: [{ field: `${prefix}ewsUrl`, message: "is required" }] };
      if (record.serviceAccount.state === "not_signed_in" || credentials.tokenCache === null) {
        return {
          ok: false,
          errors: [
            {
              field: "serviceAccount",
              message: "is not signed in: sign the service account in with the Microsoft 365 OAuth (EWS API) button",
            },
          ],
        };
      }
      // A service account marked needs_sign_in still runs: the check then reports token_expired plainly.
      return {
        ok: true,
        config: {
          accessType: "ews_oauth_impersonation",
          ewsUrl: changes.ewsUrl,
          tenantId: context.orgTenantId,
          serviceAccount: { username: record.serviceAccount.username, homeAccountId: null },
        },
      };
    }
    case "graph_app_only": {
      if (changes.appTenantId === null || changes.appClientId === null) {
        return { ok: false, errors: [{ field: `${prefix}appOnly`, message: "is required for this access type" }] };
      }
      if (changes.appCredentialType === "certificate") {
        const privateKeyPem = secret(changes.privateKey, credentials.privateKeyPem);
        if (changes.certificatePem === null || privateKeyPem === null) {
          return { ok: false, errors: [{ field: `${prefix}appOnly.privateKeyPem`, message: "is required" }] };
        }
        return {
          ok: true,
          config: {
            accessType: "graph_app_only",
            tenantId: changes.appTenantId,
            clientId: changes.appClientId,
            credential: { type: "certificate", certificatePem: changes.certificatePem, privateKeyPem },
          },
        };
      }
      const clientSecret = secret(changes.clientSecret, credentials.clientSecret);
      if (clientSecret === null) {
        return { ok: false, errors: [{ field: `${prefix}appOnly.clientSecret`, message: "is required" }] };
      }
      return {
        ok: true,
        config: {
          accessType: "graph_app_only",
          tenantId: changes.appTenantId,
          clientId: changes.appClientId,
          credential: { type: "secret", clientSecret },
        },
      };
    }
  }
}

/** The saved configuration as the PUT would see it again: the same rules (and URL guard) apply to it. */
function storedAsInput(record: EmailConfigRecord): EmailConfigInput | null {
  if (record.accessType === null) return null;
  return {
    accessType: record.accessType,
    ewsUrl: record.ewsUrl,
    accountLogon: record.accountLogon,
    ...(record.accessType === "ews_basic_impersonation" ? { authentication: record.authentication } : {}),
    ...(record.accessType === "graph_app_only" && record.appOnly.tenantId !== null && record.appOnly.clientId !== null
      ? { appOnly: { tenantId: record.appOnly.tenantId, clientId: record.appOnly.clientId } }
      : {}),
  };
}

export async function resolveEmailConfig(
  context: ResolveContext,
  draft: EmailConfigInput | undefined,
  guardUrl: UrlGuard,
): Promise<Resolution> {
  const prefix = draft === undefined ? "" : "draft.";
  const input = draft ?? storedAsInput(context.record);
  if (input === null) {
    return {
      ok: false,
      errors: [{ field: "draft", message: "is required: the organization has no saved email configuration" }],
    };
  }
  const plan = await planEmailConfigChange(context.record, input, guardUrl);
  if ("errors" in plan) {
    return { ok: false, errors: plan.errors.map((error) => ({ ...error, field: `${prefix}${error.field}` })) };
  }
  return fromChanges(plan.changes, context, prefix);
}
