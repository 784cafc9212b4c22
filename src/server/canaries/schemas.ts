import { Type, type Static } from "@sinclair/typebox";
import type {
  CanaryDirectorySuggestionsDto,
  CanaryDto,
  CanaryInput,
  CanaryListDto,
  CanaryVerdictDto,
} from "../../contract/canaries.js";
import { Email, EnumOut, NullableOut, Timestamp, Uuid, type Same } from "../http/schemas.js";

export const CanaryInputSchema = Type.Object({ address: Email }, { additionalProperties: false });

export const CanaryParams = Type.Object({ orgId: Uuid, canaryId: Uuid }, { additionalProperties: false });

export const CanarySchema = Type.Object({
  id: Uuid,
  address: Type.String(),
  addedBy: Type.String(),
  addedAt: Timestamp,
});

export const CanaryListSchema = Type.Object({
  items: Type.Array(CanarySchema),
  suggestions: Type.Array(
    Type.Object({ address: Type.String(), reason: Type.String(), powershell: NullableOut(Type.String()) }),
  ),
  max: Type.Integer(),
});

export const CanaryDirectorySuggestionsSchema = Type.Object({
  listed: Type.Boolean(),
  reason: NullableOut(Type.String()),
  items: Type.Array(
    Type.Object({
      address: Type.String(),
      displayName: NullableOut(Type.String()),
      profile: Type.Optional(Type.String()),
    }),
  ),
  truncated: Type.Boolean(),
});

const CanaryVerdictSchema = Type.Object({
  address: Type.String(),
  verdict: EnumOut("refused", "leaked", "inconclusive"),
  // A category id of the contract (scope_leak, graph_scope_denied, …).
  category: Type.String(),
  leaked: Type.Array(EnumOut("mail", "calendar", "drafts")),
  cause: NullableOut(Type.String()),
  remedy: NullableOut(Type.String()),
  detail: NullableOut(Type.String()),
  checkedAt: Timestamp,
});

export const CanaryVerdictListSchema = Type.Object({ items: Type.Array(CanaryVerdictSchema) });

const _input: Same<Static<typeof CanaryInputSchema>, CanaryInput> = true;
const _canary: Same<Static<typeof CanarySchema>, CanaryDto> = true;
const _list: Same<Static<typeof CanaryListSchema>, CanaryListDto> = true;
const _verdict: Same<Omit<Static<typeof CanaryVerdictSchema>, "category">, Omit<CanaryVerdictDto, "category">> = true;
const _directory: Same<Static<typeof CanaryDirectorySuggestionsSchema>, CanaryDirectorySuggestionsDto> = true;
void [_input, _canary, _list, _verdict, _directory];
