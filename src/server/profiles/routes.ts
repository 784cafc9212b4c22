/**
 * Connection profiles (admins only): list, create, read, save (If-Match), rename (If-Match), delete, set-default;
 * and the organization's placement (rules and Automatic, If-Match). Secrets never come back out.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Static } from "@sinclair/typebox";
import type { ConnectionProfileDto, ConnectionProfileListDto, ProfilePlacementDto } from "../../contract/profiles.js";
import { callerOf } from "../auth/access.js";
import { etagOf, parseIfMatch } from "../emailConfig/service.js";
import { EmailConfigInputSchema, IfMatchHeaders } from "../emailConfig/schemas.js";
import { badRequest, preconditionRequired } from "../errors.js";
import { AUTH_ERRORS, OrgParams, errorResponses } from "../http/schemas.js";
import {
  ConnectionProfileListSchema,
  ConnectionProfileSchema,
  NewConnectionProfileSchema,
  ProfileParams,
  ProfilePlacementInputSchema,
  ProfilePlacementSchema,
  RenameConnectionProfileSchema,
} from "./schemas.js";
import {
  createProfile,
  deleteProfile,
  listProfiles,
  readPlacement,
  readProfile,
  renameProfile,
  savePlacement,
  setDefaultProfile,
  updateProfile,
} from "./service.js";

const ADMIN_ERRORS = [...AUTH_ERRORS, 403, 404] as const;

/** The version an If-Match header carries: 428 without one, 400 when it is no version. */
export function expectedVersionOf(header: string | undefined): number {
  const expected = parseIfMatch(header);
  if (expected === null) throw preconditionRequired('Send If-Match with the version you read, e.g. If-Match: "0".');
  if (Number.isNaN(expected)) {
    throw badRequest("If-Match must be a version number.", [
      { field: "If-Match", message: 'must be the version from GET, e.g. "3"' },
    ]);
  }
  return expected;
}

function versioned<T extends { version: number }>(reply: FastifyReply, body: T): T {
  void reply.headers({ etag: etagOf(body.version), "cache-control": "no-store" });
  return body;
}

export function profileRoutes(app: FastifyInstance): Promise<void> {
  const { repos, outbound } = app.ctx;
  const guardUrl = (url: string) => outbound.guard(url);
  const tags = ["profiles"];

  app.get<{ Params: Static<typeof OrgParams> }>(
    "/orgs/:orgId/profiles",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "The organization's connection profiles: name, access type, users, last check (the default first)",
        params: OrgParams,
        response: { 200: ConnectionProfileListSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request, reply): Promise<ConnectionProfileListDto> => {
      void reply.header("cache-control", "no-store");
      return listProfiles(repos, request.params.orgId);
    },
  );

  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof NewConnectionProfileSchema> }>(
    "/orgs/:orgId/profiles",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Add a profile: a unique name, optionally its configuration (validated like PUT email-config)",
        params: OrgParams,
        body: NewConnectionProfileSchema,
        response: { 201: ConnectionProfileSchema, ...errorResponses(...ADMIN_ERRORS, 409, 422) },
      },
    },
    async (request, reply) => {
      const created = await createProfile(
        repos,
        {
          orgId: request.params.orgId,
          name: request.body.name,
          config: request.body.config,
          actor: callerOf(request).email,
        },
        guardUrl,
      );
      return reply.code(201).send(versioned(reply, created));
    },
  );

  app.get<{ Params: Static<typeof ProfileParams> }>(
    "/orgs/:orgId/profiles/:profileId",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "One profile's configuration, without secrets (ETag = version)",
        params: ProfileParams,
        response: { 200: ConnectionProfileSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request, reply): Promise<ConnectionProfileDto> =>
      versioned(reply, await readProfile(repos, request.params.orgId, request.params.profileId)),
  );

  app.put<{
    Params: Static<typeof ProfileParams>;
    Body: Static<typeof EmailConfigInputSchema>;
    Headers: Static<typeof IfMatchHeaders>;
  }>(
    "/orgs/:orgId/profiles/:profileId",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Save a profile's configuration (If-Match: the version read; blank secrets keep the stored ones)",
        params: ProfileParams,
        headers: IfMatchHeaders,
        body: EmailConfigInputSchema,
        response: { 200: ConnectionProfileSchema, ...errorResponses(...ADMIN_ERRORS, 412, 422, 428) },
      },
    },
    async (request, reply): Promise<ConnectionProfileDto> => {
      const expectedVersion = expectedVersionOf(request.headers["if-match"]);
      const saved = await updateProfile(
        repos,
        { ...request.params, input: request.body, expectedVersion, actor: callerOf(request).email },
        guardUrl,
      );
      return versioned(reply, saved);
    },
  );

  app.patch<{
    Params: Static<typeof ProfileParams>;
    Body: Static<typeof RenameConnectionProfileSchema>;
    Headers: Static<typeof IfMatchHeaders>;
  }>(
    "/orgs/:orgId/profiles/:profileId",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Rename a profile (If-Match: the version read; the version moves on)",
        params: ProfileParams,
        headers: IfMatchHeaders,
        body: RenameConnectionProfileSchema,
        response: { 200: ConnectionProfileSchema, ...errorResponses(...ADMIN_ERRORS, 409, 412, 422, 428) },
      },
    },
    async (request, reply): Promise<ConnectionProfileDto> => {
      const expectedVersion = expectedVersionOf(request.headers["if-match"]);
      const renamed = await renameProfile(repos, {
        ...request.params,
        name: request.body.name,
        expectedVersion,
        actor: callerOf(request).email,
      });
      return versioned(reply, renamed);
    },
  );

  app.delete<{ Params: Static<typeof ProfileParams> }>(
    "/orgs/:orgId/profiles/:profileId",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Delete a profile (409: the default, one that still checks users, or one a placement rule names)",
        params: ProfileParams,
        response: { 204: { type: "null", description: "Deleted" }, ...errorResponses(...ADMIN_ERRORS, 409) },
      },
    },
    async (request, reply) => {
      await deleteProfile(repos, { ...request.params, actor: callerOf(request).email });
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof ProfileParams> }>(
    "/orgs/:orgId/profiles/:profileId/default",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Make a profile the default (the Email Configuration tab and check runs use the default)",
        params: ProfileParams,
        response: { 200: ConnectionProfileSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request, reply): Promise<ConnectionProfileDto> =>
      versioned(reply, await setDefaultProfile(repos, { ...request.params, actor: callerOf(request).email })),
  );

  app.get<{ Params: Static<typeof OrgParams> }>(
    "/orgs/:orgId/profile-placement",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "How users are placed in profiles: the rules in order and whether Automatic is on (ETag = version)",
        params: OrgParams,
        response: { 200: ProfilePlacementSchema, ...errorResponses(...ADMIN_ERRORS) },
      },
    },
    async (request, reply): Promise<ProfilePlacementDto> =>
      versioned(reply, await readPlacement(repos, request.params.orgId)),
  );

  app.put<{
    Params: Static<typeof OrgParams>;
    Body: Static<typeof ProfilePlacementInputSchema>;
    Headers: Static<typeof IfMatchHeaders>;
  }>(
    "/orgs/:orgId/profile-placement",
    {
      preHandler: app.requireOrgAdmin,
      schema: {
        tags,
        summary: "Replace the placement (If-Match; 422 naming rules[i].value or rules[i].profileId)",
        params: OrgParams,
        headers: IfMatchHeaders,
        body: ProfilePlacementInputSchema,
        response: { 200: ProfilePlacementSchema, ...errorResponses(...ADMIN_ERRORS, 412, 422, 428) },
      },
    },
    async (request, reply): Promise<ProfilePlacementDto> => {
      const expectedVersion = expectedVersionOf(request.headers["if-match"]);
      const saved = await savePlacement(repos, {
        orgId: request.params.orgId,
        input: request.body,
        expectedVersion,
        actor: callerOf(request).email,
      });
      return versioned(reply, saved);
    },
  );
  return Promise.resolve();
}
