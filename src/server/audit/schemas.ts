import { Type, type Static } from "@sinclair/typebox";
import type { AuditEventDto } from "../../contract/api.js";
import { Nullable, PagingQuery, Timestamp, Uuid, type Same } from "../http/schemas.js";

export const AuditEventSchema = Type.Object({
  id: Uuid,
  at: Timestamp,
  actor: Type.String(),
  action: Type.String(),
  target: Nullable(Type.String()),
  before: Type.Unknown(),
  after: Type.Unknown(),
});

export const AuditQuery = Type.Object({ ...PagingQuery }, { additionalProperties: false });

const _audit: Same<Static<typeof AuditEventSchema>, AuditEventDto> = true;
