/** Creating an organization with its first admin: the admin CLI and BOOTSTRAP_ADMIN (demo) both come here. */
import type { Repositories } from "./repositories.js";
import type { Organization } from "./orgs/repository.js";

export interface NewOrganization {
  name: string;
  tenantId: string | null;
  adminEmail: string;
  adminName?: string;
}

export async function createOrganization(repos: Repositories, input: NewOrganization, actor: string) {
  return repos.transaction(async (tx) => {
    const org = await tx.organizations.create({ name: input.name, tenantId: input.tenantId, createdBy: actor });
    const admin = await tx.users.add(
      org.id,
      {
        email: input.adminEmail,
        displayName: input.adminName ?? input.adminEmail.split("@")[0] ?? input.adminEmail,
        role: "admin",
      },
      actor,
    );
    await tx.audit.record({
      orgId: org.id,
      actor,
      action: "org.create",
      target: org.name,
      after: { name: org.name, tenantId: org.tenantId, admin: admin.email },
    });
    return { org, admin };
  });
}

/** Creates the demo organization unless the bootstrap admin already administers one. Returns it either way. */
export async function ensureBootstrapOrganization(
  repos: Repositories,
  input: NewOrganization,
): Promise<{ org: Organization; created: boolean }> {
  const existing = (await repos.organizations.membershipsOf(input.adminEmail)).find((m) => m.role === "admin");
  if (existing) return { org: existing.org, created: false };
  const { org } = await createOrganization(repos, input, "bootstrap");
  return { org, created: true };
}
