/**
 * The attestation document of a finished run, built from facts the service gathers: a pure function, so what an
 * auditor reads is decided in one place and tested as a table.
 */
import {
  ATTESTATION_FORMAT,
  type AttestationDocument,
  type AttestationProfile,
  type AttestedUser,
} from "../../contract/attestation.js";
import type { EmailConfigDto } from "../../contract/api.js";
import type { CanaryVerdictDto } from "../../contract/canaries.js";
import type { CheckRunDto } from "../../contract/checks.js";

/** A profile the run checked through (a group run: one per child run; a plain run: its one profile). */
export interface AttestedProfileFacts {
  /** The profile's name (a profile deleted since: its last known name). */
  name: string;
  /** What the run (the child run) checked with. */
  accessType: string;
  configVersion: number | null;
  /** The profile's saved configuration now (no secrets); null once the profile is deleted. */
  config: EmailConfigDto | null;
}

export interface AttestationFacts {
  productVersion: string;
  issuedAt: Date;
  issuedTo: string;
  organization: { id: string; name: string };
  run: CheckRunDto;
  /** Each profile's saved configuration now: its identity fields go in only when it is still the version checked. */
  profiles: AttestedProfileFacts[];
  users: AttestedUser[];
  canaries: CanaryVerdictDto[];
}

export function buildAttestation(facts: AttestationFacts): AttestationDocument {
  const { run } = facts;
  const preflight = run.preflight;
  return {
    format: ATTESTATION_FORMAT,
    product: { name: "Sync Sidebar", version: facts.productVersion },
    issuedAt: facts.issuedAt.toISOString(),
    issuedTo: facts.issuedTo,
    organization: facts.organization,
    profiles: facts.profiles.map(attestedProfile),
    run: {
      id: run.id,
      state: run.state,
      depth: run.depth,
      trigger: run.trigger,
      scope: run.scope,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      total: run.total,
      done: run.done,
      stopReason: run.stopReason ? { category: run.stopReason.category, message: run.stopReason.message } : null,
    },
    permissions: preflight?.permissions ?? [],
    preflight: {
      canProceed: preflight?.canProceed ?? false,
      steps: preflight?.steps ?? [],
      warnings: preflight?.warnings ?? [],
    },
    summary: { severityCounts: run.severityCounts, counts: run.counts },
    // By address, so two attestations of the same organization compare line by line.
    users: [...facts.users].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)),
    canaries: [...facts.canaries].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)),
  };
}

function attestedProfile(profile: AttestedProfileFacts): AttestationProfile {
  const { config } = profile;
  const current = config !== null && profile.configVersion !== null && profile.configVersion === config.version;
  return {
    name: profile.name,
    accessType: profile.accessType,
    serviceAccount: current ? (config.serviceAccount.username ?? config.accountLogon) : null,
    appId: current ? config.appOnly.clientId : null,
    tenantId: current ? config.appOnly.tenantId : null,
    ewsUrl: current ? config.ewsUrl : null,
    configVersion: profile.configVersion,
    configurationCurrent: current,
  };
}
