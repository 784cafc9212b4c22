import { Type, type Static } from "@sinclair/typebox";
import type {
  ReachSummaryDto,
  SidebarReachDto,
  SidebarReportInput,
  SidebarReportResultDto,
  UserReachDto,
} from "../../contract/reach.js";
import { EnumOut, Literals, Nullable, NullableOut, Timestamp, Uuid, type Same } from "../http/schemas.js";

/** Client names and versions are short identifiers; nothing else (no free text, no personal data) fits. */
const Token = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: "^[A-Za-z0-9._\\-]+$" });

export const SidebarReportSchema = Type.Object(
  {
    client: Token(64),
    platform: Nullable(Token(64)),
    clientVersion: Nullable(Token(64)),
    addinVersion: Token(32),
    manifest: Literals("unified", "xml", "unknown"),
    mailboxVersion: Nullable(Type.String({ pattern: "^1\\.[0-9]{1,2}$" })),
    nestedAppAuth: Type.Boolean(),
    signInPath: Nullable(Literals("naa", "popup", "dialog")),
    signInFailure: Nullable(Token(64)),
  },
  { additionalProperties: false },
);

export const SidebarReportResultSchema = Type.Object({ recorded: Type.Boolean() });

const SidebarReachSchema = Type.Object({
  client: Type.String(),
  platform: NullableOut(Type.String()),
  clientVersion: NullableOut(Type.String()),
  addinVersion: Type.String(),
  manifest: EnumOut("unified", "xml", "unknown"),
  mailboxVersion: NullableOut(Type.String()),
  nestedAppAuth: Type.Boolean(),
  signInPath: NullableOut(EnumOut("naa", "popup", "dialog")),
  signInFailure: NullableOut(Type.String()),
  reportedAt: Timestamp,
});

export const UserReachSchema = Type.Object({
  userId: Uuid,
  email: Type.String(),
  displayName: Type.String(),
  sidebar: NullableOut(SidebarReachSchema),
});

export const UserReachListSchema = Type.Object({ items: Type.Array(UserReachSchema) });

export const ReachUsersQuery = Type.Object(
  { filter: Type.Optional(Literals("never_opened", "sign_in_failing")) },
  { additionalProperties: false },
);

export const ReachSummarySchema = Type.Object({
  windowDays: Type.Integer(),
  connected: Type.Integer(),
  reached: Type.Integer(),
  perClient: Type.Array(Type.Object({ client: Type.String(), users: Type.Integer() })),
});

const _report: Same<Static<typeof SidebarReportSchema>, SidebarReportInput> = true;
const _result: Same<Static<typeof SidebarReportResultSchema>, SidebarReportResultDto> = true;
const _reach: Same<Static<typeof SidebarReachSchema>, SidebarReachDto> = true;
const _user: Same<Static<typeof UserReachSchema>, UserReachDto> = true;
const _summary: Same<Static<typeof ReachSummarySchema>, ReachSummaryDto> = true;
void [_report, _result, _reach, _user, _summary];
