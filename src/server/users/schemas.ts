import { Type, type Static } from "@sinclair/typebox";
import type {
  ImportRowVerdict,
  NewOrgUserInput,
  OrgUserDto,
  UpdateOrgUserInput,
  UserImportResultDto,
} from "../../contract/api.js";
import { Email, Nullable, PagingQuery, RoleSchema, Timestamp, Uuid, type Same } from "../http/schemas.js";
import { UserProfileSchema } from "../profiles/schemas.js";

const SeveritySchema = Type.Union([
  Type.Literal("ok"),
  Type.Literal("warning"),
  Type.Literal("error"),
  Type.Literal("transient"),
]);

const DisplayName = Type.String({ minLength: 1, maxLength: 200, format: "display-name" });

export const OrgUserSchema = Type.Object({
  id: Uuid,
  email: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  addedBy: Type.String(),
  addedAt: Timestamp,
  lastCheck: Type.Union([
    Type.Object({ category: Type.String(), severity: SeveritySchema, checkedAt: Timestamp }),
    Type.Null(),
  ]),
  profile: UserProfileSchema,
});

export const NewOrgUserSchema = Type.Object(
  {
    email: Email,
    displayName: Type.Optional(DisplayName),
    role: Type.Optional(RoleSchema),
    profileId: Type.Optional(Uuid),
  },
  { additionalProperties: false, title: "NewOrgUserInput" },
);

/** Import rows are judged one by one (a bad email or role rejects that row only), so their fields are plain text. */
const ImportRowSchema = Type.Object(
  {
    email: Type.String({ maxLength: 1000 }),
    displayName: Type.Optional(Type.String({ maxLength: 1000 })),
    role: Type.Optional(Type.String({ maxLength: 100 })),
    profile: Type.Optional(Type.String({ maxLength: 1000, description: "A connection profile's name; blank: none" })),
  },
  { additionalProperties: false },
);

export const UserImportSchema = Type.Object(
  {
    import: Type.Union([
      Type.Object(
        {
          format: Type.Literal("csv"),
          csv: Type.String({ description: "CSV with a header row: email,displayName,role,profile" }),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        { format: Type.Literal("json"), rows: Type.Array(ImportRowSchema, { maxItems: 50_000 }) },
        { additionalProperties: false },
      ),
    ]),
    dryRun: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false, title: "UserImportInput" },
);

export const AddUsersBodySchema = Type.Union([NewOrgUserSchema, UserImportSchema], {
  description: "One user, or a bulk import of up to 50,000 rows (CSV text or JSON rows).",
});

export const UpdateOrgUserSchema = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    role: Type.Optional(RoleSchema),
    profileId: Type.Optional(Nullable(Uuid)),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ImportRowVerdictSchema = Type.Object({
  row: Type.Integer(),
  email: Type.String(),
  verdict: Type.Union([Type.Literal("ok"), Type.Literal("rejected")]),
  reason: Type.Optional(Type.String()),
  source: Type.Optional(Type.String()),
});

export const UserImportResultSchema = Type.Object({
  dryRun: Type.Boolean(),
  total: Type.Integer(),
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  rows: Type.Array(ImportRowVerdictSchema),
  lines: Type.Optional(Type.Object({ total: Type.Integer(), header: Type.Integer(), blank: Type.Integer() })),
});

export const UserListQuery = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(
      Type.Union([Type.Literal("never_checked"), SeveritySchema], {
        description: "Only users whose latest check has this severity, or who were never checked",
      }),
    ),
    profileId: Type.Optional({ ...Uuid, description: "Only the users this connection profile checks" }),
    ...PagingQuery,
  },
  { additionalProperties: false },
);

export const UserParams = Type.Object({ orgId: Uuid, userId: Uuid }, { additionalProperties: false });

const _user: Same<Static<typeof OrgUserSchema>, OrgUserDto> = true;
const _newUser: Same<Static<typeof NewOrgUserSchema>, NewOrgUserInput> = true;
const _update: Same<Static<typeof UpdateOrgUserSchema>, UpdateOrgUserInput> = true;
const _verdict: Same<Static<typeof ImportRowVerdictSchema>, ImportRowVerdict> = true;
const _result: Same<Static<typeof UserImportResultSchema>, UserImportResultDto> = true;
