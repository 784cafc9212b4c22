/**
 * The lab's directory: fast lookups over a validated scenario (addresses, object ids, rights, app registrations).
 * Built once per lab start; request handlers only read it.
 */
import { createHash } from "node:crypto";
import type {
  AccessScope,
  AppOnlyRegistration,
  MailboxLocation,
  MailboxState,
  Scenario,
  ServiceAccount,
} from "./scenario.js";

export type PrincipalKind = "user" | "serviceAccount" | "room";

export interface DirectoryEntry {
  kind: PrincipalKind;
  email: string;
  displayName: string;
  /** Entra object id: stable for a tenant and address, so tokens minted offline match a running lab. */
  oid: string;
  password: string | null;
  mailbox: MailboxState;
  /**
   * Hybrid: the side that holds the mailbox (the other answers as Exchange does for a mailbox it does not hold);
   * "both" outside hybrid scenarios, and for service accounts and rooms, which every service answers for.
   */
  location: MailboxLocation | "both";
  /** Synced from on-premises Active Directory (Graph's onPremisesSyncEnabled); hybrid users only. */
  synced: boolean;
  primarySmtpAddress?: string;
  inManagementScope: boolean;
  refresh: "ok" | "revoked";
  serviceAccount?: ServiceAccount;
}

/** A GUID-shaped id derived from the tenant and the address. */
export function objectIdFor(tenantId: string, email: string): string {
  const hex = createHash("sha256").update(`${tenantId}/${email.toLowerCase()}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class Directory {
  readonly byEmail = new Map<string, DirectoryEntry>();
  readonly byOid = new Map<string, DirectoryEntry>();
  readonly appsByClientId = new Map<string, AppOnlyRegistration>();

  constructor(readonly scenario: Scenario) {
    const add = (entry: DirectoryEntry): void => {
      this.byEmail.set(entry.email, entry);
      this.byOid.set(entry.oid, entry);
    };
    const oid = (email: string): string => objectIdFor(scenario.tenantId, email);
    for (const u of scenario.users) {
      const entry: DirectoryEntry = {
        kind: "user",
        email: u.email,
        displayName: u.displayName,
        oid: oid(u.email),
        password: u.password,
        mailbox: u.mailbox,
        location: u.location ?? "both",
        synced: u.synced ?? false,
        inManagementScope: u.inManagementScope,
        refresh: u.refresh,
      };
      if (u.primarySmtpAddress) entry.primarySmtpAddress = u.primarySmtpAddress;
      add(entry);
    }
    // The primary address behind an alias is a working mailbox of its own unless the scenario lists it.
    for (const u of scenario.users) {
      if (u.mailbox !== "alias" || !u.primarySmtpAddress || this.byEmail.has(u.primarySmtpAddress)) continue;
      add({
        kind: "user",
        email: u.primarySmtpAddress,
        displayName: u.displayName,
        oid: oid(u.primarySmtpAddress),
        password: u.password,
        mailbox: "ok",
        location: u.location ?? "both",
        synced: u.synced ?? false,
        inManagementScope: u.inManagementScope,
        refresh: u.refresh,
      });
    }
    for (const c of scenario.canaries) {
      add({
        kind: "user",
        email: c.email,
        displayName: c.displayName,
        oid: oid(c.email),
        password: null,
        mailbox: "ok",
        inManagementScope: false,
        refresh: "ok",
        // Reachable on either side of a hybrid organization: a leak shows wherever the grant is.
        location: "both",
        synced: false,
      });
    }
    for (const a of scenario.serviceAccounts) {
      add({
        kind: "serviceAccount",
        email: a.email,
        displayName: a.displayName,
        oid: oid(a.email),
        password: a.password,
        mailbox: a.hasMailbox ? "ok" : "none",
        location: "both",
        synced: scenario.hybrid !== undefined,
        inManagementScope: true,
        refresh: a.refresh,
        serviceAccount: a,
      });
    }
    for (const room of scenario.rooms) {
      add({
        kind: "room",
        email: room.email,
        displayName: room.displayName,
        oid: oid(room.email),
        password: null,
        mailbox: "ok",
        location: "both",
        synced: false,
        inManagementScope: true,
        refresh: "ok",
      });
    }
    for (const app of scenario.apps.appOnly) this.appsByClientId.set(app.clientId, app);
  }

  /** Hybrid: the mailbox lives in Exchange Online, so the on-premises server holds only a remote mailbox. */
  static inCloud(entry: DirectoryEntry): boolean {
    return entry.location === "cloud" && entry.mailbox !== "moving";
  }

  /** Hybrid: the mailbox is still on the on-premises server, so Exchange Online holds none. */
  static onPremises(entry: DirectoryEntry): boolean {
    return entry.location === "onprem" && entry.mailbox !== "moving";
  }

  /** The cloud routing address of a remote mailbox (its targetAddress), in a hybrid scenario. */
  routingAddress(entry: DirectoryEntry): string | null {
    const domain = this.scenario.hybrid?.routingDomain;
    if (domain === undefined || !entry.synced) return null;
    return `${entry.email.split("@")[0] ?? entry.email}@${domain}`;
  }

  find(address: string): DirectoryEntry | undefined {
    return this.byEmail.get(address.toLowerCase());
  }

  /** Whether a scope (impersonation right or RBAC management scope) covers a mailbox. */
  static covers(scope: AccessScope, target: DirectoryEntry): boolean {
    if (scope === "all") return true;
    if (scope === "none") return false;
    if (scope === "scoped") return target.inManagementScope;
    return scope.includes(target.email);
  }

  /** Users and service accounts that can sign in (the login page and Basic authentication accept them). */
  checkPassword(address: string, password: string): DirectoryEntry | undefined {
    const entry = this.find(address);
    if (!entry || entry.password === null || entry.kind === "room") return undefined;
    return entry.password === password ? entry : undefined;
  }
}
