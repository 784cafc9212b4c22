/**
 * TypeBox schemas of the check routes: they validate requests, shape responses (unknown fields are dropped) and
 * document the routes in /api/openapi.json. `Same` proves they match the wire types in src/contract/checks.ts.
 */
import { Type, type Static } from "@sinclair/typebox";
import { CATEGORY_LIST } from "../../contract/categories.js";
import { MAILBOX_PLACES } from "../../contract/exchangeOnline.js";
import type {
  CheckEventsTicketDto,
  CheckPreflightDto,
  CheckResultDto,
  CheckStepDto,
  StartCheckRunDto,
  StartCheckRunInput,
} from "../../contract/checks.js";
import { Literals, Timestamp, Uuid, type Same } from "../http/schemas.js";
import { EmailConfigInputSchema } from "../emailConfig/schemas.js";

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const categoryIds = CATEGORY_LIST.map((category) => category.id) as unknown as [
  (typeof CATEGORY_LIST)[number]["id"],
  ...Array<(typeof CATEGORY_LIST)[number]["id"]>,
];
export const CategorySchema = Literals(...categoryIds);
export const SeveritySchema = Literals("ok", "warning", "error", "transient");
const DepthSchema = Literals("read", "full");

/** At most this many listed users per run; larger selections use scope {all: true}. */
export const MAX_LISTED_USERS = 100_000;

export const StartCheckRunSchema = Type.Object(
  {
    scope: Type.Union([
      Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
      Type.Object(
        { userIds: Type.Array(Uuid, { minItems: 1, maxItems: MAX_LISTED_USERS }) },
        { additionalProperties: false },
      ),
    ]),
    depth: DepthSchema,
    draft: Type.Optional(EmailConfigInputSchema),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    profileId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false, title: "StartCheckRunInput" },
);

export const StartCheckRunResponse = Type.Object({ runId: Uuid });

const StepSchema = Type.Object({
  step: Type.String(),
  ok: Type.Boolean(),
  category: CategorySchema,
  detail: Type.Optional(Type.String()),
  durationMs: Type.Number(),
});

const PreflightSchema = Type.Object({
  canProceed: Type.Boolean(),
  steps: Type.Array(StepSchema),
  warnings: Type.Array(Type.Object({ category: CategorySchema, message: Type.String() })),
  permissions: Type.Optional(
    Type.Array(
      Type.Object({
        permission: Type.String(),
        usedFor: Type.String(),
        state: Literals("present", "missing"),
        heldAs: Nullable(Type.String()),
        seenIn: Nullable(Literals("role_assignments", "token")),
        rbacRole: Nullable(Type.String()),
      }),
    ),
  ),
  settling: Type.Optional(Type.Object({ changedAt: Timestamp, recheckAfter: Timestamp, note: Type.String() })),
});

export const CheckRunSchema = Type.Object({
  id: Uuid,
  orgId: Uuid,
  state: Literals(
    "preflight",
    "running",
    "completed",
    "cancelled",
    "auth_failed",
    "preflight_failed",
    "throttled",
    "failed",
  ),
  depth: DepthSchema,
  scope: Literals("all", "list"),
  accessType: Type.String(),
  configVersion: Nullable(Type.Integer()),
  draft: Type.Boolean(),
  concurrency: Type.Integer(),
  total: Type.Integer(),
  done: Type.Integer(),
  counts: Type.Record(Type.String(), Type.Integer(), { description: "Results per category id" }),
  severityCounts: Type.Object({
    ok: Type.Integer(),
    warning: Type.Integer(),
    error: Type.Integer(),
    transient: Type.Integer(),
  }),
  preflight: Nullable(PreflightSchema),
  stopReason: Nullable(
    Type.Object({
      category: Nullable(CategorySchema),
      message: Type.String(),
      remedy: Type.String(),
      detail: Nullable(Type.String()),
    }),
  ),
  startedBy: Type.String(),
  trigger: Type.Union([Type.Literal("manual"), Type.Literal("scheduled"), Type.Literal("after_change")]),
  startedAt: Timestamp,
  finishedAt: Nullable(Timestamp),
  etaSeconds: Nullable(Type.Integer()),
  profiles: Type.Array(
    Type.Object({
      profileId: Type.String(),
      name: Type.String(),
      accessType: Type.String(),
      state: Type.String(),
      total: Type.Integer(),
      done: Type.Integer(),
      counts: Type.Record(Type.String(), Type.Integer()),
      stopCategory: Nullable(CategorySchema),
      stopDetail: Nullable(Type.String()),
    }),
  ),
});

export const CheckRunListSchema = Type.Object({ items: Type.Array(CheckRunSchema) });

export const CheckResultSchema = Type.Object({
  userId: Type.String(),
  email: Type.String(),
  category: CategorySchema,
  severity: SeveritySchema,
  message: Type.String(),
  remedy: Type.String(),
  detail: Nullable(Type.String()),
  primarySmtpAddress: Nullable(Type.String()),
  httpStatus: Nullable(Type.Integer()),
  attempts: Type.Integer(),
  durationMs: Type.Integer(),
  steps: Type.Array(StepSchema),
  capabilities: Nullable(
    Type.Object({ mail: CategorySchema, calendar: Nullable(CategorySchema), drafts: Nullable(CategorySchema) }),
  ),
  profile: Type.String(),
  suggestedProfile: Nullable(Type.String()),
  suggestedProfileId: Nullable(Type.String()),
  placement: Nullable(Type.Object({ where: Literals(...MAILBOX_PLACES), evidence: Type.String() })),
  checkedAt: Timestamp,
});

export const CheckResultPageSchema = Type.Object({
  items: Type.Array(CheckResultSchema),
  nextCursor: Nullable(Type.String()),
});

export const RunParams = Type.Object({ orgId: Uuid, runId: Uuid }, { additionalProperties: false });

export const RunListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) },
  { additionalProperties: false },
);

export const ResultsQuery = Type.Object(
  {
    category: Type.Optional(CategorySchema),
    severity: Type.Optional(SeveritySchema),
    /** Only the results checked through this connection profile (its id). */
    profile: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 1024 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);

export const CsvQuery = Type.Object(
  {
    category: Type.Optional(CategorySchema),
    severity: Type.Optional(SeveritySchema),
    profile: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const EventsQuery = Type.Object(
  { ticket: Type.Optional(Type.String({ maxLength: 128 })) },
  { additionalProperties: false },
);

export const EventsTicketSchema = Type.Object({ ticket: Type.String(), expiresAt: Timestamp, url: Type.String() });

const _start: Same<Static<typeof StartCheckRunSchema>, StartCheckRunInput> = true;
const _started: Same<Static<typeof StartCheckRunResponse>, StartCheckRunDto> = true;
const _step: Same<Static<typeof StepSchema>, CheckStepDto> = true;
const _preflight: Same<Static<typeof PreflightSchema>, CheckPreflightDto> = true;
const _result: Same<Static<typeof CheckResultSchema>, CheckResultDto> = true;
const _ticket: Same<Static<typeof EventsTicketSchema>, CheckEventsTicketDto> = true;
