/**
 * The organization's user list (admins only): search and page (by status or profile), add one or import many, change
 * role or profile, move many to a profile, remove. Every user says which connection profile checks them.
 */
import type { FastifyInstance } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { OrgUserDto, Page, UserImportResultDto } from "../../contract/api.js";
import type { MoveToSuggestedResultDto, MoveUsersToProfileResultDto } from "../../contract/profiles.js";
import { callerOf } from "../auth/access.js";
import { conflict, notFound } from "../errors.js";
import type { ListedOrgUser, OrgUser } from "./repository.js";
import { AUTH_ERRORS, OrgParams, PageOf, errorResponses } from "../http/schemas.js";
import {
  AddUsersBodySchema,
  OrgUserSchema,
  UpdateOrgUserSchema,
  UserImportResultSchema,
  UserListQuery,
  UserParams,
  type NewOrgUserSchema,
  type UserImportSchema,
} from "./schemas.js";
import { recordAudit } from "../audit/service.js";
import { importUsers, moveUsersToProfile } from "./service.js";
import {
  assertProfileOf,
  moveToSuggested,
  profileViewOf,
  userProfileDto,
  type ProfileView,
} from "../profiles/service.js";
import {
  MoveToSuggestedResultSchema,
  MoveToSuggestedSchema,
  MoveUsersToProfileResultSchema,
  MoveUsersToProfileSchema,
} from "../profiles/schemas.js";

const ADMIN_ERRORS = [...AUTH_ERRORS, 403, 404] as const;

/**
 * A user as the API gives it; lastCheck is null unless the user came from the list (which joins the checks); the
 * profile is decided under the organization's placement (`view`).
 */
export function toOrgUserDto(user: OrgUser | ListedOrgUser, view: ProfileView): OrgUserDto {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    addedBy: user.addedBy,
    addedAt: user.addedAt,
    lastCheck: "lastCheck" in user ? user.lastCheck : null,
    profile: userProfileDto(user, view),
  };
}

type AddUsersBody = Static<typeof NewOrgUserSchema> | Static<typeof UserImportSchema>;

export function userRoutes(app: FastifyInstance): Promise<void> {
  const { repos, config } = app.ctx;

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof UserListQuery> }>(
    "/orgs/:orgId/users",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["users"],
        summary:
          "The organization's users with their latest check result, searched by email or name or filtered by status, in email order, cursor-paged",
        params: OrgParams,
        querystring: UserListQuery,
        response: { 200: PageOf(OrgUserSchema), ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request): Promise<Page<OrgUserDto>> => {
      const { search, status, profileId, cursor, limit } = request.query;
      const { orgId } = request.params;
      const view = await profileViewOf(repos, orgId);
      const page = await repos.users.list(orgId, {
        ...(search !== undefined ? { search } : {}),
        ...(status !== undefined ? { status } : {}),
        ...(profileId !== undefined ? { profile: { profileId, policy: view.policy } } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
        limit: limit ?? 50,
      });
      return { items: page.items.map((user) => toOrgUserDto(user, view)), nextCursor: page.nextCursor };
    },
  );

  app.post<{ Params: Static<typeof OrgParams>; Body: AddUsersBody }>(
    "/orgs/:orgId/users",
    {
      preHandler: app.requireOrgAdmin,
      bodyLimit: config.importBodyLimitBytes,
      schema: {
        tags: ["users"],
        summary: "Add one user (201), or import up to 50,000 (200: a verdict per row on a dry run)",
        params: OrgParams,
        body: AddUsersBodySchema,
        response: {
          200: UserImportResultSchema,
          201: OrgUserSchema,
          ...errorResponses(...ADMIN_ERRORS, 409, 413),
        },
      },
    },
    async (request, reply): Promise<OrgUserDto | UserImportResultDto> => {
      const actor = callerOf(request).email;
      const { orgId } = request.params;
      const body = request.body;
      if ("import" in body) {
        return importUsers(repos, orgId, body.import, body.dryRun ?? false, actor);
      }
      const email = body.email.trim();
      const profileId = body.profileId ?? null;
      const created = await repos.transaction(async (tx) => {
        if (profileId !== null) await assertProfileOf(tx, orgId, profileId, "profileId");
        if (await tx.users.findByEmail(orgId, email)) {
          throw conflict(`${email} is already a user of this organization.`, [
            { field: "email", message: `${email} is already a user of this organization.` },
          ]);
        }
        const user = await tx.users.add(
          orgId,
          {
            email,
            displayName: body.displayName?.trim() || email.split("@")[0] || email,
            role: body.role ?? "user",
            profileId,
          },
          actor,
        );
        const view = await profileViewOf(tx, orgId);
        await recordAudit(tx, {
          orgId,
          actor,
          action: "user.add",
          target: user.email,
          after: toOrgUserDto(user, view),
        });
        return { user, view };
      });
      return reply.code(201).send(toOrgUserDto(created.user, created.view));
    },
  );

  app.patch<{ Params: Static<typeof UserParams>; Body: Static<typeof UpdateOrgUserSchema> }>(
    "/orgs/:orgId/users/:userId",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["users"],
        summary:
          "Change a user's display name, role or profile (profileId null: no explicit profile; the last admin cannot be demoted)",
        params: UserParams,
        body: UpdateOrgUserSchema,
        response: { 200: OrgUserSchema, ...errorResponses(...ADMIN_ERRORS, 409) },
      },
    },
    async (request): Promise<OrgUserDto> => {
      const actor = callerOf(request).email;
      const { orgId, userId } = request.params;
      const updated = await repos.transaction(async (tx) => {
        const before = await tx.users.get(orgId, userId);
        if (!before) throw notFound("User");
        if (before.role === "admin" && request.body.role === "user" && (await tx.users.adminCount(orgId)) <= 1) {
          throw conflict("The organization's last administrator cannot be demoted.", [
            { field: "role", message: "would leave the organization without an administrator" },
          ]);
        }
        const { profileId } = request.body;
        if (profileId !== undefined && profileId !== null) await assertProfileOf(tx, orgId, profileId, "profileId");
        await tx.users.update(orgId, userId, request.body);
        const after = (await tx.users.get(orgId, userId))!;
        const view = await profileViewOf(tx, orgId);
        await recordAudit(tx, {
          orgId,
          actor,
          action: "user.update",
          target: after.email,
          before: toOrgUserDto(before, view),
          after: toOrgUserDto(after, view),
        });
        return toOrgUserDto(after, view);
      });
      return updated;
    },
  );

  app.delete<{ Params: Static<typeof UserParams> }>(
    "/orgs/:orgId/users/:userId",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags: ["users"],
        summary: "Remove a user from the organization (the last admin cannot be removed)",
        params: UserParams,
        response: { 204: { type: "null", description: "Removed" }, ...errorResponses(...ADMIN_ERRORS, 409) },
      },
    },
    async (request, reply) => {
      const actor = callerOf(request).email;
      const { orgId, userId } = request.params;
      await repos.transaction(async (tx) => {
        const before = await tx.users.get(orgId, userId);
        if (!before) throw notFound("User");
        if (before.role === "admin" && (await tx.users.adminCount(orgId)) <= 1) {
          throw conflict("The organization's last administrator cannot be removed.", [
            { field: "userId", message: "is the organization's last administrator: make another user an admin first" },
          ]);
        }
        await tx.users.remove(orgId, userId);
        await recordAudit(tx, {
          orgId,
          actor,
          action: "user.remove",
          target: before.email,
          before: toOrgUserDto(before, await profileViewOf(tx, orgId)),
        });
      });
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof MoveUsersToProfileSchema> }>(
    "/orgs/:orgId/users/move-profile",
    {
      preHandler: app.requireOrgAdmin,
      bodyLimit: config.importBodyLimitBytes,
      schema: {
        tags: ["users"],
        summary:
          "Move users to a connection profile (profileId null: back to the rules, Automatic or the default), all or none",
        params: OrgParams,
        body: MoveUsersToProfileSchema,
        response: { 200: MoveUsersToProfileResultSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request): Promise<MoveUsersToProfileResultDto> =>
      moveUsersToProfile(repos, {
        orgId: request.params.orgId,
        userIds: request.body.userIds,
        profileId: request.body.profileId,
        actor: callerOf(request).email,
      }),
  );

  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof MoveToSuggestedSchema> }>(
    "/orgs/:orgId/users/move-to-suggested",
    {
      preHandler: app.requireOrgAdmin,
      bodyLimit: config.importBodyLimitBytes,
      schema: {
        tags: ["users"],
        summary:
          "Move users whose latest check found their mailbox elsewhere to the suggested profile ({userIds} or {all: true}), all or none",
        params: OrgParams,
        body: MoveToSuggestedSchema,
        response: { 200: MoveToSuggestedResultSchema, ...errorResponses(...ADMIN_ERRORS, 422) },
      },
    },
    async (request): Promise<MoveToSuggestedResultDto> =>
      moveToSuggested(repos, {
        orgId: request.params.orgId,
        userIds: "all" in request.body ? "all" : request.body.userIds,
        actor: callerOf(request).email,
      }),
  );
  return Promise.resolve();
}
