/**
 * The backend's domains, each listed once per concern: its route plugins (registered under /api in this order), its
 * migrations (merged by name, applied at start-up) and its re-sealers (run by `npm run secrets:rotate`). A new domain
 * adds one line to each list it needs; app.ts and the CLIs read only these lists.
 */
import type { FastifyInstance } from "fastify";
import type { Kysely, MigrationResultSet } from "kysely";
import { auditCore001 } from "./audit/migrations/001_core.js";
import { auditRoutes } from "./audit/routes.js";
import { migration024AttestationKeys } from "./attestation/migrations/024_attestation_keys.js";
import { attestationRoutes } from "./attestation/routes.js";
import { attestationKeysResealer } from "./attestation/signingKeys.js";
import { migration028Canaries } from "./canaries/migrations/028_canaries.js";
import { canaryRoutes } from "./canaries/routes.js";
import { migration002MailboxStatus } from "./checks/migrations/002_mailbox_status.js";
import { migration010CheckRuns } from "./checks/migrations/010_check_runs.js";
import { migration012CheckRunTrigger } from "./checks/migrations/012_check_run_trigger.js";
import { migration015CheckResultCapabilities } from "./checks/migrations/015_check_result_capabilities.js";
import { migration017CheckBudgetLeases } from "./checks/migrations/017_check_budget_leases.js";
import { migration018CheckRunQueued } from "./checks/migrations/018_check_run_queued.js";
import { migration030CheckRunProfiles } from "./checks/migrations/030_check_run_profiles.js";
import { checkDraftsResealer } from "./checks/resealer.js";
import { checkRoutes } from "./checks/routes.js";
import type { Db } from "./db/database.js";
import { pendingMigrations as pendingOf } from "./db/migrationStatus.js";
import { mergeMigrations, migrateToLatest as applyMigrations } from "./db/migrations.js";
import { emailConfigHelperRoutes } from "./emailConfig/helperRoutes.js";
import { emailConfigCore001 } from "./emailConfig/migrations/001_core.js";
import { migration011EwsAuthentication } from "./emailConfig/migrations/011_ews_authentication.js";
import { migration014ClientSecretExpiry } from "./emailConfig/migrations/014_client_secret_expiry.js";
import { migration016EmailConfigChangedAt } from "./emailConfig/migrations/016_email_config_changed_at.js";
import { emailConfigsResealer } from "./emailConfig/repository.js";
import { emailConfigRoutes } from "./emailConfig/routes.js";
import { migration013Monitoring } from "./monitoring/migrations/013_monitoring.js";
import { migration020WebhookUrlSealed } from "./monitoring/migrations/020_webhook_url_sealed.js";
import { migration021RunHistoryStop } from "./monitoring/migrations/021_run_history_stop.js";
import { webhookSecretsResealer } from "./monitoring/resealer.js";
import { monitoringRoutes } from "./monitoring/routes.js";
import { meRoutes } from "./orgs/meRoutes.js";
import { orgsCore001 } from "./orgs/migrations/001_core.js";
import { orgRoutes } from "./orgs/routes.js";
import { migration019SidebarReach } from "./reach/migrations/019_sidebar_reach.js";
import { reachRoutes } from "./reach/routes.js";
import type { Keyring } from "./secrets/keyring.js";
import { resealEvery, type Resealer } from "./secrets/resealers.js";
import { migration026ConnectionProfiles } from "./profiles/migrations/026_connection_profiles.js";
import { migration027ProfilePlacement } from "./profiles/migrations/027_profile_placement.js";
import { migration029ResultPlacement } from "./profiles/migrations/029_result_placement.js";
import { profileRoutes } from "./profiles/routes.js";
import { readinessRoutes } from "./system/readiness.js";
import { systemRoutes } from "./system/routes.js";
import { usersCore001 } from "./users/migrations/001_core.js";
import { userRoutes } from "./users/routes.js";

/**
 * 001–009 were the core backend's, 010 the check runner's; later ones are numbered in order of arrival whatever
 * their domain (a name sorting before an applied one would be refused). Steps sharing a name run in this order.
 */
export const migrations = mergeMigrations([
  { "001_core": orgsCore001 },
  { "001_core": usersCore001 },
  { "001_core": emailConfigCore001 },
  { "001_core": auditCore001 },
  { "002_mailbox_status": migration002MailboxStatus, "010_check_runs": migration010CheckRuns },
  { "011_ews_authentication": migration011EwsAuthentication },
  { "012_check_run_trigger": migration012CheckRunTrigger },
  { "013_monitoring": migration013Monitoring },
  { "014_client_secret_expiry": migration014ClientSecretExpiry },
  { "015_check_result_capabilities": migration015CheckResultCapabilities },
  { "016_email_config_changed_at": migration016EmailConfigChangedAt },
  { "017_check_budget_leases": migration017CheckBudgetLeases },
  { "018_check_run_queued": migration018CheckRunQueued },
  { "019_sidebar_reach": migration019SidebarReach },
  { "020_webhook_url_sealed": migration020WebhookUrlSealed },
  { "021_run_history_stop": migration021RunHistoryStop },
  { "024_attestation_keys": migration024AttestationKeys },
  { "026_connection_profiles": migration026ConnectionProfiles },
  { "027_profile_placement": migration027ProfilePlacement },
  { "028_canaries": migration028Canaries },
  { "029_result_placement": migration029ResultPlacement },
  { "030_check_run_profiles": migration030CheckRunProfiles },
]);

/** Which of the domains' migrations `db` has not applied yet (readiness, the doctor). */
export function pendingMigrations(db: Db): Promise<string[]> {
  return pendingOf(db, migrations);
}

export type ApiRoutes = (app: FastifyInstance) => Promise<void>;

export const apiRoutes: ApiRoutes[] = [
  systemRoutes,
  readinessRoutes(pendingMigrations),
  meRoutes,
  orgRoutes,
  userRoutes,
  emailConfigRoutes,
  profileRoutes,
  auditRoutes,
  checkRoutes,
  emailConfigHelperRoutes,
  monitoringRoutes,
  reachRoutes,
  attestationRoutes,
  canaryRoutes,
];

export const resealers: Resealer[] = [
  emailConfigsResealer,
  // A draft run's configuration, kept only until the run ends, so an interrupted run can still resume.
  checkDraftsResealer,
  // The webhook's signing secret.
  webhookSecretsResealer,
  // The private halves of the attestation signing keys.
  attestationKeysResealer,
];

/** Applies every pending migration of every domain; throws MigrationError naming the one that failed. */
export function migrateToLatest<Tables>(db: Kysely<Tables>): Promise<MigrationResultSet> {
  return applyMigrations(db, migrations);
}

/** Re-seals every domain's envelopes in one transaction; returns how many moved per table. */
export function resealAll(db: Db, keyring: Keyring): Promise<Record<string, number>> {
  return resealEvery(db, keyring, resealers);
}
