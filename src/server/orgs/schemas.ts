import { Type, type Static } from "@sinclair/typebox";
import type {
  HealthDto,
  MeDto,
  OrgDto,
  OrgMembershipDto,
  ClientConfigDto,
  MailboxStatusDto,
} from "../../contract/api.js";
import { ACCESS_TYPE_IDS } from "../../contract/accessTypes.js";
import { MAILBOX_PLACES } from "../../contract/exchangeOnline.js";
import { Literals, RoleSchema, Timestamp, Uuid, type Same } from "../http/schemas.js";

export const AccessTypeSchema = Literals(...ACCESS_TYPE_IDS);

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("degraded")]),
  database: Type.Union([Type.Literal("ok"), Type.Literal("unreachable")]),
  process: Type.Optional(Type.String()),
  worker: Type.Optional(
    Type.Object({
      active: Type.Boolean(),
      runs: Type.Integer(),
      budget: Type.Union([Type.Literal("in-process"), Type.Literal("postgres")]),
    }),
  ),
});

export const OrgMembershipSchema = Type.Object({ id: Uuid, name: Type.String(), role: RoleSchema });

export const MeSchema = Type.Object({
  subject: Type.String(),
  email: Type.String(),
  name: Type.String(),
  orgs: Type.Array(OrgMembershipSchema),
});

export const OrgSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  tenantId: Type.Union([Type.String(), Type.Null()]),
  role: RoleSchema,
  userCount: Type.Integer(),
  createdAt: Timestamp,
});

export const ClientConfigSchema = Type.Object({
  authority: Type.String(),
  clientId: Type.String(),
  knownAuthorities: Type.Array(Type.String()),
  apiScopes: Type.Array(Type.String()),
  protocolMode: Type.Union([Type.Literal("oidc"), Type.Literal("aad")]),
  serviceAccountScopes: Type.Array(Type.String()),
});

export const MailboxStatusSchema = Type.Object({
  org: Type.Union([Type.Object({ id: Uuid, name: Type.String() }), Type.Null()]),
  accessType: Type.Union([AccessTypeSchema, Type.Null()]),
  state: Literals("connected", "needs_attention", "not_connected", "never_checked", "not_configured"),
  lastCheck: Type.Union([
    Type.Object({
      category: Type.String(),
      severity: Literals("ok", "warning", "error", "transient"),
      message: Type.String(),
      tellAdmin: Type.Union([Type.String(), Type.Null()]),
      checkedAt: Timestamp,
    }),
    Type.Null(),
  ]),
  monitoring: Type.Object({ lastCheckedAt: Type.Union([Timestamp, Type.Null()]), scheduled: Type.Boolean() }),
  place: Type.Union([Type.Object({ where: Literals(...MAILBOX_PLACES), profileName: Type.String() }), Type.Null()]),
});

export const MailboxStatusQuery = Type.Object({ orgId: Type.Optional(Uuid) }, { additionalProperties: false });

const _health: Same<Static<typeof HealthSchema>, HealthDto> = true;
const _membership: Same<Static<typeof OrgMembershipSchema>, OrgMembershipDto> = true;
const _me: Same<Static<typeof MeSchema>, MeDto> = true;
const _org: Same<Static<typeof OrgSchema>, OrgDto> = true;
const _client: Same<Static<typeof ClientConfigSchema>, ClientConfigDto> = true;
const _mailbox: Same<Static<typeof MailboxStatusSchema>, MailboxStatusDto> = true;
