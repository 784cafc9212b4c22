/**
 * The exchange module's public face for the check runner and the routes: one factory over the three access types.
 */
import type { MailboxDriver } from "./driver.js";
import type { MailboxDriverDeps, ResolvedEmailConfig } from "./config.js";

export type * from "./driver.js";
export type * from "./config.js";

/** Builds the driver for the configuration's access type. Throws only for a configuration missing what it needs. */
export function createMailboxDriver(config: ResolvedEmailConfig, deps: MailboxDriverDeps): MailboxDriver {
  void deps;
  throw new Error(`mailbox driver for ${config.accessType} is being implemented`);
}
