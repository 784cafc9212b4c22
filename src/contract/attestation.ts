/**
 * The signed access attestation of a finished check run: what the product saw of the organization's mailbox access,
 * signed by the backend (JWS, EdDSA over Ed25519) so that an auditor can check it offline against the published keys
 * (GET /api/attestation-keys). The pane renders the same document; `npm run attestation:verify` prints its summary.
 */
import type { CanaryVerdictDto } from "./canaries.js";
import type { CategoryId, Severity } from "./categories.js";
import type { CheckCapabilitiesDto, CheckDepth, CheckPermissionDto, CheckRunState, CheckStepDto } from "./checks.js";
import type { CheckRunTrigger } from "./monitoring.js";

/** The JWS header's `typ`: a verifier refuses a JWS of another kind signed with the same key. */
export const ATTESTATION_JWS_TYPE = "sync-sidebar-attestation+jws";
export const ATTESTATION_FORMAT = "sync-sidebar.access-attestation/v1";

export interface AttestedUser {
  userId: string;
  email: string;
  category: CategoryId;
  severity: Severity;
  /** Per capability (Graph app-only); null where the access type probes one capability. */
  capabilities: CheckCapabilitiesDto | null;
  primarySmtpAddress: string | null;
  checkedAt: string;
}

export interface AttestationProfile {
  /** The connection profile's name: one entry per profile the run checked through (a group run: each child's). */
  name: string;
  accessType: string;
  /** The service account's logon (EWS), or null for app-only. */
  serviceAccount: string | null;
  /** The app registration's client id (app-only and the OAuth EWS sign-in), or null. */
  appId: string | null;
  tenantId: string | null;
  ewsUrl: string | null;
  /** The saved configuration's version the run checked. */
  configVersion: number | null;
  /** false when the configuration was changed after the run: the identity fields above are then unknown (null). */
  configurationCurrent: boolean;
}

export interface AttestationDocument {
  format: typeof ATTESTATION_FORMAT;
  product: { name: "Sync Sidebar"; version: string };
  issuedAt: string;
  /** The admin who asked for it. */
  issuedTo: string;
  organization: { id: string; name: string };
  profiles: AttestationProfile[];
  run: {
    id: string;
    state: CheckRunState;
    depth: CheckDepth;
    trigger: CheckRunTrigger;
    scope: "all" | "list";
    startedAt: string;
    finishedAt: string | null;
    total: number;
    done: number;
    stopReason: { category: CategoryId | null; message: string } | null;
  };
  /** What the preflight saw of the grants: Graph app-only permissions (token roles and appRoleAssignments). */
  permissions: CheckPermissionDto[];
  preflight: { canProceed: boolean; steps: CheckStepDto[]; warnings: Array<{ category: CategoryId; message: string }> };
  summary: { severityCounts: Record<Severity, number>; counts: Partial<Record<CategoryId, number>> };
  users: AttestedUser[];
  /**
   * The canaries probed by the run (mailboxes outside the scope that must be refused): "refused" proves the boundary
   * held for them at that time, "leaked" that it did not. Empty when the organization names none.
   */
  canaries: CanaryVerdictDto[];
}

/** GET /api/orgs/{orgId}/checks/{runId}/attestation: the document and its compact JWS. */
export interface AttestationDto {
  jws: string;
  keyId: string;
  document: AttestationDocument;
}
