/**
 * Email configuration as the routes and other domains reach it: the admin's read and save (audited in the same
 * transaction), the access type a member's status shows, the configuration a check run uses (saved, or a draft
 * validated like a save) with its sealed copy, and the drivers built from it. Rules live in rules.ts, storage in
 * repository.ts; nothing outside this folder imports either.
 */
import { X509Certificate } from "node:crypto";
import type { EmailConfigDto, EmailConfigInput } from "../../contract/api.js";
import type { AccessTypeId } from "../../contract/accessTypes.js";
import { recordAudit } from "../audit/service.js";
import { notFound, preconditionFailed, unprocessable, type FieldError } from "../errors.js";
import type { ResolvedEmailConfig } from "../exchange/config.js";
import { organizationOf } from "../orgs/service.js";
import type { Repositories } from "../repositories.js";
import { resolveEmailConfig } from "./resolution.js";
import { planEmailConfigChange, toEmailConfigDto, type UrlGuard } from "./rules.js";

export { openDraft, resealDraft, sealDraft } from "./draftSeal.js";
export { defaultDriverFactory, type DriverFactory } from "./drivers.js";
export { etagOf, parseIfMatch, planEmailConfigChange, toEmailConfigDto, type UrlGuard } from "./rules.js";
export {
  emptyEmailConfig,
  type EmailConfigChanges,
  type EmailConfigRecord,
  type EmailConfigSummary,
} from "./repository.js";
export { DEFAULT_PROFILE_NAME, normalizedProfileName } from "./columns.js";

/** What the admin's form shows: the configuration without any secret, and its version (the ETag). */
export async function emailConfigSummary(repos: Repositories, orgId: string): Promise<EmailConfigDto> {
  return toEmailConfigDto(await repos.emailConfigs.summary(orgId));
}

/**
 * Saves an admin's input over version `expectedVersion` (blank secrets keep the stored ones), with its audit event
 * in the same transaction. 412 when the stored version moved on, 422 naming each field that breaks a rule.
 */
export async function saveEmailConfig(
  repos: Repositories,
  change: { orgId: string; input: EmailConfigInput; expectedVersion: number; actor: string },
  guardUrl: UrlGuard,
): Promise<EmailConfigDto> {
  const { orgId, expectedVersion, actor } = change;
  const current = await repos.emailConfigs.get(orgId);
  if (current.version !== expectedVersion) {
    throw preconditionFailed(
      `The configuration changed since version ${expectedVersion}; it is now ${current.version}.`,
    );
  }
  const plan = await planEmailConfigChange(current, change.input, guardUrl);
  if ("errors" in plan) throw unprocessable(plan.errors);
  const saved = await repos.transaction(async (tx) => {
    const next = await tx.emailConfigs.save(orgId, plan.changes, expectedVersion, actor);
    if (!next) throw preconditionFailed("Another administrator saved the configuration first; reload it.");
    await recordAudit(tx, {
      orgId,
      actor,
      action: "email_config.update",
      target: null,
      before: toEmailConfigDto(current),
      after: {
        ...toEmailConfigDto(next),
        passwordChanged: plan.changes.password.kind === "set",
        clientSecretChanged: plan.changes.clientSecret.kind === "set",
      },
    });
    return next;
  });
  return toEmailConfigDto(saved);
}

/** When the app-only credential stops working, as far as the server knows (monitoring's expiry alert). */
export async function credentialExpiryOf(
  repos: Repositories,
  orgId: string,
): Promise<{ credential: "certificate" | "client secret"; expiresAt: string } | null> {
  const config = await repos.emailConfigs.get(orgId);
  if (config.accessType !== "graph_app_only") return null;
  if (config.appOnly.credentialType === "secret") {
    const date = config.appOnly.clientSecretExpiresAt;
    return date === null ? null : { credential: "client secret", expiresAt: `${date}T00:00:00.000Z` };
  }
  if (config.appOnly.credentialType !== "certificate" || config.appOnly.certificatePem === null) return null;
  try {
    const validTo = new Date(new X509Certificate(config.appOnly.certificatePem).validTo);
    return { credential: "certificate", expiresAt: validTo.toISOString() };
  } catch {
    return null;
  }
}

/** The organization's access type, or null while nothing is saved. */
export async function accessTypeOf(repos: Repositories, orgId: string): Promise<AccessTypeId | null> {
  return (await repos.emailConfigs.get(orgId)).accessType;
}

/**
 * The password the magic wand signs in with: the typed one, or (like PUT: a blank password means the stored one)
 * the stored password when the logon is the stored logon; "" when there is none.
 */
export async function discoveryPassword(
  repos: Repositories,
  orgId: string,
  accountLogon: string,
  typed: string | undefined,
): Promise<string> {
  const secret = typed ?? "";
  if (secret !== "") return secret;
  const stored = await repos.emailConfigs.get(orgId);
  if (stored.accountLogon?.toLowerCase() !== accountLogon.trim().toLowerCase()) return "";
  return (await repos.emailConfigs.credentials(orgId)).password ?? "";
}

/** Records the EWS OAuth service account's sign-in (its token cache is already stored) with its audit event. */
export async function recordServiceAccountSignIn(
  repos: Repositories,
  signIn: { orgId: string; profileId?: string; actor: string; username: string; tokenExpiresAt: string | null },
): Promise<EmailConfigDto> {
  const { orgId, profileId, actor } = signIn;
  const saved = await repos.transaction(async (tx) => {
    const account = { username: signIn.username, state: "signed_in" as const, tokenExpiresAt: signIn.tokenExpiresAt };
    const next =
      profileId === undefined
        ? await tx.emailConfigs.saveServiceAccount(orgId, account)
        : await tx.emailConfigs.saveProfileServiceAccount(orgId, profileId, account);
    if (!next) throw notFound("Connection profile");
    await recordAudit(tx, {
      orgId,
      actor,
      action: "email_config.service_account_sign_in",
      target: next.serviceAccount.username,
      after: { serviceAccount: next.serviceAccount },
    });
    return next;
  });
  return toEmailConfigDto(saved);
}

/**
 * The decrypted configuration a check run drives (the saved one, or `draft` validated exactly like a save, its
 * blank secrets falling back to the stored ones), with the saved configuration's version either way; or the field
 * errors (422) that keep it from running.
 */
export type ConfigurationForRun = ({ ok: true; config: ResolvedEmailConfig } | { ok: false; errors: FieldError[] }) & {
  version: number;
  changedAt: string | null;
};

export async function configurationForRun(
  repos: Repositories,
  orgId: string,
  draft: EmailConfigInput | undefined,
  guardUrl: UrlGuard,
  /** The connection profile to check through; absent: the default profile. */
  profileId?: string,
): Promise<ConfigurationForRun> {
  const named = profileId === undefined ? null : await repos.emailConfigs.profile(orgId, profileId);
  const record = named ?? (await repos.emailConfigs.get(orgId));
  const credentials =
    named === null
      ? await repos.emailConfigs.credentials(orgId)
      : await repos.emailConfigs.profileCredentials(orgId, profileId!);
  const org = await organizationOf(repos, orgId);
  const resolution = await resolveEmailConfig(
    { record, credentials, orgTenantId: org?.tenantId ?? null },
    draft,
    guardUrl,
  );
  return { ...resolution, version: record.version, changedAt: record.changedAt };
}
