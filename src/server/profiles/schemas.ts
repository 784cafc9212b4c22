import { Type, type Static } from "@sinclair/typebox";
import type {
  ConnectionProfileDto,
  ConnectionProfileListDto,
  MoveUsersToProfileInput,
  MoveUsersToProfileResultDto,
  MoveToSuggestedInput,
  MoveToSuggestedResultDto,
  NewConnectionProfileInput,
  ProfilePlacementDto,
  ProfilePlacementInput,
  RenameConnectionProfileInput,
  UserProfileDto,
} from "../../contract/profiles.js";
import { MAX_PLACEMENT_RULES, MAX_PROFILE_NAME_LENGTH, PLACEMENT_RULE_KINDS } from "../../contract/profiles.js";
import { ACCESS_TYPE_IDS } from "../../contract/accessTypes.js";
import { EnumOut, Literals, Nullable, NullableOut, Timestamp, Uuid, type Same } from "../http/schemas.js";
import { EmailConfigInputSchema, EmailConfigSchema } from "../emailConfig/schemas.js";

export const ProfileParams = Type.Object({ orgId: Uuid, profileId: Uuid }, { additionalProperties: false });

export const ConnectionProfileSchema = Type.Object({
  ...EmailConfigSchema.properties,
  id: Uuid,
  name: Type.String(),
  isDefault: Type.Boolean(),
});

export const ConnectionProfileListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Uuid,
      name: Type.String(),
      isDefault: Type.Boolean(),
      accessType: NullableOut(EnumOut(...ACCESS_TYPE_IDS)),
      userCount: Type.Integer(),
      lastCheck: NullableOut(
        Type.Object({
          checkedAt: Timestamp,
          ok: Type.Integer(),
          warning: Type.Integer(),
          failing: Type.Integer(),
          neverChecked: Type.Integer(),
        }),
      ),
      version: Type.Integer(),
      updatedAt: NullableOut(Timestamp),
    }),
  ),
});

/** Names are judged by the service (422 naming `name`), so the schema only bounds them. */
const ProfileName = Type.String({ maxLength: MAX_PROFILE_NAME_LENGTH * 2 });

export const NewConnectionProfileSchema = Type.Object(
  { name: ProfileName, config: Type.Optional(EmailConfigInputSchema) },
  { additionalProperties: false, title: "NewConnectionProfileInput" },
);

export const RenameConnectionProfileSchema = Type.Object(
  { name: ProfileName },
  { additionalProperties: false, title: "RenameConnectionProfileInput" },
);

const PlacementRuleSchema = Type.Object(
  {
    kind: Literals(...PLACEMENT_RULE_KINDS),
    value: Type.String({ maxLength: 255, description: "mail_domain: the domain, e.g. contoso.com" }),
    profileId: Uuid,
  },
  { additionalProperties: false },
);

export const ProfilePlacementInputSchema = Type.Object(
  { automatic: Type.Boolean(), rules: Type.Array(PlacementRuleSchema, { maxItems: MAX_PLACEMENT_RULES }) },
  { additionalProperties: false, title: "ProfilePlacementInput" },
);

export const ProfilePlacementSchema = Type.Object({
  automatic: Type.Boolean(),
  rules: Type.Array(
    Type.Object({ kind: EnumOut(...PLACEMENT_RULE_KINDS), value: Type.String(), profileId: Type.String() }),
  ),
  version: Type.Integer(),
  updatedBy: NullableOut(Type.String()),
  updatedAt: NullableOut(Timestamp),
});

export const UserProfileSchema = Type.Object({
  profileId: Type.String(),
  profileName: Type.String(),
  source: EnumOut("explicit", "rule", "automatic", "default"),
  reason: Type.String(),
  explicitProfileId: NullableOut(Type.String()),
  placedProfileId: NullableOut(Type.String()),
  placementReason: NullableOut(Type.String()),
  placedAt: NullableOut(Timestamp),
  suggestedProfileId: NullableOut(Type.String()),
  suggestedProfileName: NullableOut(Type.String()),
});

export const MoveToSuggestedSchema = Type.Union(
  [
    Type.Object(
      { userIds: Type.Array(Uuid, { minItems: 1, maxItems: 50_000 }) },
      { additionalProperties: false, title: "MoveToSuggestedUsers" },
    ),
    Type.Object({ all: Type.Literal(true) }, { additionalProperties: false, title: "MoveToSuggestedAll" }),
  ],
  { title: "MoveToSuggestedInput" },
);

export const MoveToSuggestedResultSchema = Type.Object({
  moved: Type.Integer(),
  moves: Type.Array(
    Type.Object({
      userId: Type.String(),
      email: Type.String(),
      fromProfileId: Type.String(),
      toProfileId: Type.String(),
      toProfileName: Type.String(),
    }),
  ),
});

export const MoveUsersToProfileSchema = Type.Object(
  { userIds: Type.Array(Uuid, { minItems: 1, maxItems: 50_000 }), profileId: Nullable(Uuid) },
  { additionalProperties: false, title: "MoveUsersToProfileInput" },
);

export const MoveUsersToProfileResultSchema = Type.Object({
  moved: Type.Integer(),
  profileId: NullableOut(Type.String()),
});

const _profile: Same<Static<typeof ConnectionProfileSchema>, ConnectionProfileDto> = true;
const _list: Same<Static<typeof ConnectionProfileListSchema>, ConnectionProfileListDto> = true;
const _new: Same<Static<typeof NewConnectionProfileSchema>, NewConnectionProfileInput> = true;
const _rename: Same<Static<typeof RenameConnectionProfileSchema>, RenameConnectionProfileInput> = true;
const _placementIn: Same<Static<typeof ProfilePlacementInputSchema>, ProfilePlacementInput> = true;
const _placement: Same<Static<typeof ProfilePlacementSchema>, ProfilePlacementDto> = true;
const _userProfile: Same<Static<typeof UserProfileSchema>, UserProfileDto> = true;
const _move: Same<Static<typeof MoveUsersToProfileSchema>, MoveUsersToProfileInput> = true;
const _toSuggested: Same<Static<typeof MoveToSuggestedSchema>, MoveToSuggestedInput> = true;
const _toSuggestedResult: Same<Static<typeof MoveToSuggestedResultSchema>, MoveToSuggestedResultDto> = true;
const _moved: Same<Static<typeof MoveUsersToProfileResultSchema>, MoveUsersToProfileResultDto> = true;
