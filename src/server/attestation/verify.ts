/**
 * Verifying an attestation offline: the signature against a JWKS (the keys GET /api/attestation-keys publishes),
 * the JWS type and the document's format. Accepts the compact JWS and the JSON serializations (general or flattened),
 * as the pane downloads the general one.
 */
import { compactVerify, createLocalJWKSet, flattenedVerify, generalVerify, type JSONWebKeySet } from "jose";
import { ATTESTATION_FORMAT, ATTESTATION_JWS_TYPE, type AttestationDocument } from "../../contract/attestation.js";
import type { Severity } from "../../contract/categories.js";
import { ATTESTATION_ALG } from "./signingKeys.js";

export class AttestationInvalid extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AttestationInvalid";
  }
}

export interface VerifiedAttestation {
  keyId: string;
  document: AttestationDocument;
}

type Verified = { payload: Uint8Array; protectedHeader?: { kid?: string; typ?: string } | undefined };

/** The compact JWS (three base64url parts) or a JWS JSON document, as read from a file. */
export async function verifyAttestation(serialized: string, jwks: JSONWebKeySet): Promise<VerifiedAttestation> {
  const keys = createLocalJWKSet(jwks);
  const options = { algorithms: [ATTESTATION_ALG] };
  const text = serialized.trim();
  let verified: Verified;
  try {
    if (text.startsWith("{")) {
      const json = JSON.parse(text) as Record<string, unknown>;
      verified = Array.isArray(json.signatures)
        ? await generalVerify(json as never, keys, options)
        : await flattenedVerify(json as never, keys, options);
    } else {
      verified = await compactVerify(text, keys, options);
    }
  } catch (error) {
    throw new AttestationInvalid(
      `the signature does not verify (${error instanceof Error ? error.message : "unreadable"})`,
    );
  }
  const header = verified.protectedHeader ?? {};
  if (header.typ !== ATTESTATION_JWS_TYPE) {
    throw new AttestationInvalid(`the JWS is of type "${header.typ ?? "none"}", not ${ATTESTATION_JWS_TYPE}`);
  }
  let document: { format?: unknown };
  try {
    document = JSON.parse(new TextDecoder().decode(verified.payload)) as { format?: unknown };
  } catch {
    throw new AttestationInvalid("the signed payload is not JSON");
  }
  if (document.format !== ATTESTATION_FORMAT) {
    throw new AttestationInvalid(`the document's format is "${String(document.format)}", not ${ATTESTATION_FORMAT}`);
  }
  return { keyId: header.kid ?? "", document: document as AttestationDocument };
}

const SEVERITIES: readonly Severity[] = ["ok", "warning", "error", "transient"];

/** What the command prints after a valid signature: who, what, when, and the verdicts at a glance. */
export function attestationSummary({ keyId, document }: VerifiedAttestation): string[] {
  const { organization, run, profiles, summary, users, product } = document;
  // Documents signed before canaries existed carry none.
  const canaries = document.canaries ?? [];
  const leakedCanaries = canaries.filter((canary) => canary.verdict === "leaked");
  const profileLines = profiles.map((profile) => {
    const who = profile.serviceAccount ?? profile.appId ?? "identity not recorded (configuration changed since)";
    return `Profile: ${profile.name}: ${profile.accessType}, ${who}${profile.ewsUrl ? `, ${profile.ewsUrl}` : ""}`;
  });
  const verdicts = SEVERITIES.map((severity) => `${summary.severityCounts[severity] ?? 0} ${severity}`).join(", ");
  const leaked = document.permissions
    .filter((p) => p.seenIn === "role_assignments")
    .map((p) => p.heldAs ?? p.permission);
  return [
    `Signature valid (key ${keyId}).`,
    `Organization: ${organization.name} (${organization.id})`,
    ...profileLines,
    `Run ${run.id}: ${run.state}, depth ${run.depth}, ${run.trigger}; ${run.done} of ${run.total} users; started ${run.startedAt}, finished ${run.finishedAt ?? "not finished"}`,
    ...(run.stopReason ? [`Stopped: ${run.stopReason.message}`] : []),
    `Verdicts: ${verdicts} (${users.length} users listed)`,
    ...(leaked.length > 0 ? [`Consented tenant-wide in Entra ID: ${[...new Set(leaked)].join(", ")}`] : []),
    ...(canaries.length === 0
      ? ["Canaries: none named (the boundary was not probed)"]
      : [
          `Canaries: ${canaries.filter((c) => c.verdict === "refused").length} refused, ${leakedCanaries.length} readable, ${canaries.filter((c) => c.verdict === "inconclusive").length} inconclusive`,
          ...leakedCanaries.map((c) => `Scope leak: ${c.address} readable (${c.leaked.join(", ")}): ${c.cause ?? ""}`),
        ]),
    `Issued ${document.issuedAt} to ${document.issuedTo} by ${product.name} ${product.version}`,
  ];
}
