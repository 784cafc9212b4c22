/** Creating an organization with its first admin: the admin CLI and BOOTSTRAP_ADMIN (demo) both come here. */
import type { UserImportResultDto } from "../contract/api.js";
import type { MonitoringService } from "./monitoring/service.js";
import type { Repositories } from "./repositories.js";
import type { Organization } from "./orgs/repository.js";
import { addCanary } from "./canaries/service.js";
import type { BootstrapProfiles } from "./config.js";
import { emptyEmailConfig } from "./emailConfig/repository.js";
import { planEmailConfigChange } from "./emailConfig/rules.js";
import type { UrlGuard } from "./emailConfig/service.js";
import { unprocessable, type FieldError } from "./errors.js";
import { createProfile, readPlacement, renameProfile, savePlacement, updateProfile } from "./profiles/service.js";
import { importUsers, rowsFromCsv } from "./users/service.js";

/** The audit trail's actor for what the server does at start-up. */
export const BOOTSTRAP_ACTOR = "bootstrap";

export interface NewOrganization {
  name: string;
  tenantId: string | null;
  adminEmail: string;
  adminName?: string;
}

export async function createOrganization(repos: Repositories, input: NewOrganization, actor: string) {
  return repos.transaction(async (tx) => {
    const org = await tx.organizations.create({ name: input.name, tenantId: input.tenantId, createdBy: actor });
    const admin = await tx.users.add(
      org.id,
      {
        email: input.adminEmail,
        displayName: input.adminName ?? input.adminEmail.split("@")[0] ?? input.adminEmail,
        role: "admin",
      },
      actor,
    );
    await tx.audit.record({
      orgId: org.id,
      actor,
      action: "org.create",
      target: org.name,
      after: { name: org.name, tenantId: org.tenantId, admin: admin.email },
    });
    return { org, admin };
  });
}

/** Creates the demo organization unless the bootstrap admin already administers one. Returns it either way. */
export async function ensureBootstrapOrganization(
  repos: Repositories,
  input: NewOrganization,
): Promise<{ org: Organization; created: boolean }> {
  const existing = (await repos.organizations.membershipsOf(input.adminEmail)).find((m) => m.role === "admin");
  if (existing) return { org: existing.org, created: false };
  const { org } = await createOrganization(repos, input, BOOTSTRAP_ACTOR);
  return { org, created: true };
}

/** The admin's display name as the seed file gives it, if it lists the admin. */
export function seededAdminName(csv: string, adminEmail: string): string | undefined {
  const row = rowsFromCsv(csv).find((candidate) => candidate.email.toLowerCase() === adminEmail.toLowerCase());
  return row?.displayName || undefined;
}

/**
 * Adds the demo's users to the bootstrap organization through the ordinary import, once per organization: the
 * import's audit line is the marker, so restarts change nothing and an admin's later removals and edits stay.
 * Returns null when the organization was seeded before.
 */
export async function seedBootstrapUsers(
  repos: Repositories,
  orgId: string,
  csv: string,
): Promise<UserImportResultDto | null> {
  if (await repos.audit.has(orgId, "users.import", BOOTSTRAP_ACTOR)) return null;
  return importUsers(repos, orgId, { format: "csv", csv }, false, BOOTSTRAP_ACTOR);
}

/**
 * Turns on email alerts to the bootstrap admin when a relay is configured (`npm start`: the lab's mail catcher) and
 * the organization's channels were never saved, so a staged failure's alert arrives without a settings visit; an
 * admin's own choice (even "off") is kept. Returns whether it changed anything.
 */
export async function seedBootstrapAlerts(
  monitoring: MonitoringService,
  orgId: string,
  adminEmail: string,
  smtpConfigured: boolean,
): Promise<boolean> {
  if (!smtpConfigured) return false;
  const channels = await monitoring.channels(orgId);
  if (channels.updatedAt !== null) return false;
  await monitoring.saveChannels(
    orgId,
    { email: { enabled: true, recipients: [adminEmail] }, webhook: { enabled: false, url: null } },
    BOOTSTRAP_ACTOR,
  );
  return true;
}

/**
 * Names the demo's canaries once per organization (the first canary added by the bootstrap is the marker), so an
 * admin's later removal stays. Returns how many were added.
 */
export async function seedBootstrapCanaries(
  repos: Repositories,
  orgId: string,
  addresses: readonly string[],
  now: Date,
): Promise<number> {
  if (addresses.length === 0 || (await repos.audit.has(orgId, "canary.add", BOOTSTRAP_ACTOR))) return 0;
  let added = 0;
  for (const address of addresses) {
    await addCanary(repos, orgId, address, BOOTSTRAP_ACTOR, now);
    added += 1;
  }
  return added;
}

/**
 * Gives the bootstrap organization its connection profiles and placement, once per organization (the bootstrap's
 * first profile save is the marker, so an admin's later edits stay): the default profile is renamed and configured,
 * the others are created with their configuration, each validated exactly as the API validates it. A profile whose
 * name already exists is left as it is (a start that stopped half-way picks up where it was). Returns the profiles
 * it configured.
 */
export async function seedBootstrapProfiles(
  repos: Repositories,
  orgId: string,
  seed: BootstrapProfiles,
  guardUrl: UrlGuard,
): Promise<string[]> {
  if (await repos.audit.has(orgId, "profile.update", BOOTSTRAP_ACTOR)) return [];
  // Every configuration is validated before anything is written, so a refused seed stores nothing.
  const current = await repos.emailConfigs.ensureDefault(orgId);
  const errors: FieldError[] = [];
  for (const [index, profile] of seed.profiles.entries()) {
    const plan = await planEmailConfigChange(
      profile.default ? current : emptyEmailConfig(orgId),
      profile.config,
      guardUrl,
    );
    if ("errors" in plan) {
      errors.push(...plan.errors.map((error) => ({ ...error, field: `profiles[${index}].config.${error.field}` })));
    }
  }
  if (errors.length > 0) throw unprocessable(errors);
  const seeded: string[] = [];
  for (const profile of seed.profiles.filter((candidate) => !candidate.default)) {
    if (await repos.emailConfigs.byName(orgId, profile.name)) continue;
    await createProfile(repos, { orgId, name: profile.name, config: profile.config, actor: BOOTSTRAP_ACTOR }, guardUrl);
    seeded.push(profile.name);
  }
  if (seed.placement === "automatic") {
    const placement = await readPlacement(repos, orgId);
    if (!placement.automatic) {
      await savePlacement(repos, {
        orgId,
        input: { automatic: true, rules: placement.rules },
        expectedVersion: placement.version,
        actor: BOOTSTRAP_ACTOR,
      });
    }
  }
  // Last: its update is the marker that the seed is complete.
  const wanted = seed.profiles.find((candidate) => candidate.default);
  if (wanted) {
    let profile = current;
    if (profile.name !== wanted.name) {
      const renamed = await renameProfile(repos, {
        orgId,
        profileId: profile.profileId,
        name: wanted.name,
        expectedVersion: profile.version,
        actor: BOOTSTRAP_ACTOR,
      });
      profile = { ...profile, version: renamed.version };
    }
    await updateProfile(
      repos,
      {
        orgId,
        profileId: profile.profileId,
        input: wanted.config,
        expectedVersion: profile.version,
        actor: BOOTSTRAP_ACTOR,
      },
      guardUrl,
    );
    seeded.unshift(wanted.name);
  }
  return seeded;
}
