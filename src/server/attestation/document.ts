/**
 * The attestation document of a finished run, built from facts the service gathers: a pure function, so what an
 * auditor reads is decided in one place and tested as a table.
 */
import { ATTESTATION_FORMAT, type AttestationDocument, type AttestedUser } from "../../contract/attestation.js";
import type { EmailConfigDto } from "../../contract/api.js";
import type { CanaryVerdictDto } from "../../contract/canaries.js";
import type { CheckRunDto } from "../../contract/checks.js";

export interface AttestationFacts {
  productVersion: string;
  issuedAt: Date;
  issuedTo: string;
  organization: { id: string; name: string };
  run: CheckRunDto;
  /** The saved configuration now: its identity fields go in only when it is still the version the run checked. */
  config: EmailConfigDto;
  users: AttestedUser[];
  canaries: CanaryVerdictDto[];
}

export function buildAttestation(facts: AttestationFacts): AttestationDocument {
  const { run, config } = facts;
  const current = run.configVersion !== null && run.configVersion === config.version;
  const preflight = run.preflight;
  return {
    format: ATTESTATION_FORMAT,
    product: { name: "Sync Sidebar", version: facts.productVersion },
    issuedAt: facts.issuedAt.toISOString(),
    issuedTo: facts.issuedTo,
    organization: facts.organization,
    profiles: [
      {
        name: "Email Configuration",
        accessType: run.accessType,
        serviceAccount: current ? (config.serviceAccount.username ?? config.accountLogon) : null,
        appId: current ? config.appOnly.clientId : null,
        tenantId: current ? config.appOnly.tenantId : null,
        ewsUrl: current ? config.ewsUrl : null,
        configVersion: run.configVersion,
        configurationCurrent: current,
      },
    ],
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
