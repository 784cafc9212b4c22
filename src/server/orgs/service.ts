/**
 * Organizations as other domains and the routes reach them: one organization, the caller's memberships (only those
 * their token's tenant may act in), their membership in one organization, and an organization's DTO.
 */
import type { OrgDto } from "../../contract/api.js";
import type { Identity } from "../auth/tokenVerifier.js";
import type { Repositories } from "../repositories.js";
import { visibleMemberships } from "./access.js";
import type { Membership, Organization } from "./repository.js";

export type { Membership, Organization } from "./repository.js";

type OrgStore = Pick<Repositories, "organizations">;

/** Every organization (the scheduler's pass over them). */
export function allOrganizations(repos: OrgStore): Promise<Organization[]> {
  return repos.organizations.list();
}

export function organizationOf(repos: OrgStore, orgId: string): Promise<Organization | null> {
  return repos.organizations.get(orgId);
}

/** The organizations the caller may act in, by name, with their role in each. */
export async function membershipsOf(repos: OrgStore, identity: Identity): Promise<Membership[]> {
  return visibleMemberships(await repos.organizations.membershipsOf(identity.email), identity);
}

/** The caller's membership in one organization (whatever the tenant: the access rule judges that), in one query. */
export function membershipIn(repos: OrgStore, orgId: string, email: string): Promise<Membership | null> {
  return repos.organizations.membershipIn(orgId, email);
}

export async function toOrgDto(repos: OrgStore, org: Organization, role: "admin" | "user"): Promise<OrgDto> {
  return {
    id: org.id,
    name: org.name,
    tenantId: org.tenantId,
    role,
    userCount: await repos.organizations.userCount(org.id),
    createdAt: org.createdAt,
  };
}
