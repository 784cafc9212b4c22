/**
 * Signing an access attestation: gathers a finished run's facts (the run, its per-user results, the organization
 * and its saved configuration), builds the document and signs it with the newest attestation key. Every issue is
 * audited. Only finished runs of the saved configuration are attested: an attestation of a draft would vouch for a
 * configuration nobody uses.
 */
import { CompactSign } from "jose";
import { ATTESTATION_JWS_TYPE, type AttestationDto, type AttestedUser } from "../../contract/attestation.js";
import { CATEGORIES } from "../../contract/categories.js";
import { ACTIVE_CHECK_RUN_STATES } from "../../contract/checks.js";
import { recordAudit } from "../audit/service.js";
import type { AppContext } from "../context.js";
import { toEmailConfigDto } from "../emailConfig/service.js";
import type { CheckRunMember, CheckRunRecord } from "../checks/repository.js";
import { conflict, notFound } from "../errors.js";
import { buildAttestation, type AttestedProfileFacts } from "./document.js";
import { ATTESTATION_ALG, attestationKeys } from "./signingKeys.js";
import { productVersion } from "./version.js";

type AttestationContext = Pick<AppContext, "repos" | "keyring" | "checks" | "now">;

export async function attestRun(
  ctx: AttestationContext,
  orgId: string,
  runId: string,
  actor: string,
): Promise<AttestationDto> {
  const record = await ctx.checks.get(orgId, runId);
  const run = ctx.checks.toDto(record);
  if (ACTIVE_CHECK_RUN_STATES.includes(run.state)) {
    throw conflict("This check run is still going: an attestation covers a finished run. Wait for it to end.");
  }
  if (run.draft) {
    throw conflict(
      "This run checked an unsaved configuration. Save the Email Configuration and run the check again to attest it.",
    );
  }
  const organization = await ctx.repos.organizations.get(orgId);
  if (!organization) throw notFound("The organization");
  const users: AttestedUser[] = [];
  for await (const page of ctx.checks.runs.allResults(runId, {})) {
    for (const result of page) {
      users.push({
        userId: result.userId,
        email: result.email,
        category: result.category,
        severity: CATEGORIES[result.category].severity,
        capabilities: result.capabilities ?? null,
        primarySmtpAddress: result.primarySmtpAddress,
        checkedAt: result.checkedAt.toISOString(),
      });
    }
  }
  const document = buildAttestation({
    productVersion: productVersion(),
    issuedAt: ctx.now(),
    issuedTo: actor,
    organization: { id: organization.id, name: organization.name },
    run,
    // A group run checked through each child's profile; a plain run through its own (null: the default).
    profiles: await Promise.all(
      (record.members?.length ? record.members : [record]).map((checked) => attestedProfileFacts(ctx, orgId, checked)),
    ),
    users,
    // A group run's canaries were probed by each profile's child run.
    canaries: (
      await Promise.all(
        (await ctx.checks.runs.memberRunIds(runId)).map((id) => ctx.repos.canaries.verdictsOf(orgId, id)),
      )
    ).flat(),
  });
  const key = await attestationKeys(ctx.repos.db, ctx.keyring, ctx.now).signingKey();
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(document)))
    .setProtectedHeader({ alg: ATTESTATION_ALG, kid: key.kid, typ: ATTESTATION_JWS_TYPE })
    .sign(key.privateKey);
  await recordAudit(ctx.repos, {
    orgId,
    actor,
    action: "check_run.attestation_issued",
    target: runId,
    after: { keyId: key.kid, users: users.length, state: run.state },
  });
  return { jws, keyId: key.kid, document };
}

async function attestedProfileFacts(
  ctx: AttestationContext,
  orgId: string,
  checked: CheckRunRecord | CheckRunMember,
): Promise<AttestedProfileFacts> {
  const summary =
    checked.profileId === null
      ? await ctx.repos.emailConfigs.summary(orgId)
      : await ctx.repos.emailConfigs.profileSummary(orgId, checked.profileId);
  return {
    name: summary?.name ?? (("profileName" in checked && checked.profileName) || "A deleted profile"),
    accessType: checked.accessType,
    configVersion: checked.configVersion,
    config: summary === null ? null : toEmailConfigDto(summary),
  };
}
