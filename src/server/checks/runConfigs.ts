/**
 * The configuration a run checks with, and the driver built from it: the run's sealed draft, or the saved
 * configuration if it did not change since the run started (with when it last changed, for the settling note).
 * The lifecycle reads it to resume a run; a process joining a queued run reads it for its chunks.
 */
import type { FastifyBaseLogger } from "fastify";
import { configurationForRun, openDraft, type DriverFactory, type UrlGuard } from "../emailConfig/service.js";
import type { ResolvedEmailConfig } from "../exchange/config.js";
import type { MailboxDriver } from "../exchange/driver.js";
import type { Repositories } from "../repositories.js";
import type { Keyring } from "../secrets/keyring.js";
import type { CheckRunRecord } from "./repository.js";

/** What a stored run checks with, or why it no longer can (emailConfig's RunConfiguration is a new run's). */
export type StoredRunConfiguration =
  { ok: true; config: ResolvedEmailConfig; changedAt: string | null } | { ok: false; detail: string };

export interface RunConfigsDeps {
  repos: Repositories;
  keyring: Keyring;
  guardUrl: UrlGuard;
  driverFor: DriverFactory;
  log: FastifyBaseLogger;
}

export class RunConfigs {
  private driverFactory: DriverFactory;

  constructor(private readonly deps: RunConfigsDeps) {
    this.driverFactory = deps.driverFor;
  }

  async of(run: CheckRunRecord): Promise<StoredRunConfiguration> {
    if (run.draftEnc !== null) {
      try {
        return { ok: true, config: openDraft(this.deps.keyring, run.id, run.draftEnc), changedAt: null };
      } catch (error) {
        this.deps.log.error({ err: error, runId: run.id }, "check run draft could not be reopened");
        return { ok: false, detail: "The draft configuration of this run could not be reopened; start a new run." };
      }
    }
    if (run.profileId !== null && (await this.deps.repos.emailConfigs.profile(run.orgId, run.profileId)) === null) {
      return { ok: false, detail: "The connection profile of this run was deleted; start a new run." };
    }
    const resolution = await configurationForRun(
      this.deps.repos,
      run.orgId,
      undefined,
      this.deps.guardUrl,
      run.profileId ?? undefined,
    );
    if (resolution.version !== run.configVersion) {
      return { ok: false, detail: "The email configuration changed while the run was under way; start a new run." };
    }
    if (!resolution.ok) {
      return {
        ok: false,
        detail: `The saved configuration is no longer valid: ${resolution.errors[0]?.message ?? ""}`,
      };
    }
    return { ok: true, config: resolution.config, changedAt: resolution.changedAt };
  }

  /** `profileId`: the profile whose EWS OAuth token cache the driver keeps (absent: the default profile's). */
  driverFor(orgId: string, config: ResolvedEmailConfig, profileId?: string): MailboxDriver {
    return this.driverFactory(orgId, config, profileId);
  }

  /** Tests: swaps how drivers are built for runs started (or chunks joined) from now on. */
  useDriverFactory(factory: DriverFactory): void {
    this.driverFactory = factory;
  }
}
