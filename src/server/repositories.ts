/**
 * All repositories over one handle. `transaction` hands the same set bound to a transaction, so a change and its
 * audit event commit together or not at all.
 */
import type { Db } from "./db/database.js";
import type { Keyring } from "./secrets/keyring.js";
import type { ReadRows } from "./db/compiled.js";
import { auditEventsRepository, type AuditEventsRepository } from "./audit/repository.js";
import { emailConfigsRepository, type EmailConfigsRepository } from "./emailConfig/repository.js";
import { mailboxStatusRepository, type MailboxStatusRepository } from "./checks/mailboxStatus.js";
import { organizationsRepository, type OrganizationsRepository } from "./orgs/repository.js";
import { orgUsersRepository, type OrgUsersRepository } from "./users/repository.js";
import { sidebarReachRepository, type SidebarReachRepository } from "./reach/repository.js";
import { canariesRepository, type CanariesRepository } from "./canaries/repository.js";
import { profilePlacementRepository, type ProfilePlacementRepository } from "./profiles/repository.js";

export interface RepositoryOptions {
  keyring: Keyring;
  now?: () => Date;
  /** SQLite's read-only connection for hot-path lookups (Database.readRows); never used inside a transaction. */
  readRows?: ReadRows | null;
}

export interface Repositories {
  db: Db;
  organizations: OrganizationsRepository;
  users: OrgUsersRepository;
  emailConfigs: EmailConfigsRepository;
  /** Which profile checks each user: the organization's rules and Automatic setting. */
  profilePlacement: ProfilePlacementRepository;
  audit: AuditEventsRepository;
  mailboxStatus: MailboxStatusRepository;
  reach: SidebarReachRepository;
  canaries: CanariesRepository;
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
}

export function createRepositories(db: Db, options: RepositoryOptions): Repositories {
  const now = options.now ?? (() => new Date());
  return {
    db,
    organizations: organizationsRepository(db, now, options.readRows ?? null),
    users: orgUsersRepository(db, now),
    emailConfigs: emailConfigsRepository(db, options.keyring, now, options.readRows ?? null),
    profilePlacement: profilePlacementRepository(db, now),
    audit: auditEventsRepository(db, now),
    mailboxStatus: mailboxStatusRepository(db),
    reach: sidebarReachRepository(db),
    canaries: canariesRepository(db),
    transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
      // Inside a transaction every read goes through it, so it sees its own writes.
      return db.transaction().execute((trx) => work(createRepositories(trx, { ...options, readRows: null })));
    },
  };
}
