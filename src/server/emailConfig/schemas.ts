import { Type, type Static } from "@sinclair/typebox";
import type { EmailConfigDto, EmailConfigInput } from "../../contract/api.js";
import { ACCESS_TYPE_IDS, EWS_AUTHENTICATIONS } from "../../contract/accessTypes.js";
import { EnumOut, Literals, Nullable, NullableOut, Timestamp, Uuid, type Same } from "../http/schemas.js";
import { AccessTypeSchema } from "../orgs/schemas.js";

/** The answer of GET/PUT email-config; response-only shapes (see NullableOut) keep its serialization cheap. */
export const EmailConfigSchema = Type.Object({
  orgId: Uuid,
  accessType: NullableOut(EnumOut(...ACCESS_TYPE_IDS)),
  ewsUrl: NullableOut(Type.String()),
  accountLogon: NullableOut(Type.String()),
  hasPassword: Type.Boolean(),
  authentication: EnumOut(...EWS_AUTHENTICATIONS),
  serviceAccount: Type.Object({
    username: NullableOut(Type.String()),
    state: EnumOut("signed_in", "needs_sign_in", "not_signed_in"),
    tokenExpiresAt: NullableOut(Timestamp),
  }),
  appOnly: Type.Object({
    tenantId: NullableOut(Type.String()),
    clientId: NullableOut(Type.String()),
    credentialType: NullableOut(EnumOut("secret", "certificate")),
    hasClientSecret: Type.Boolean(),
    certificateThumbprint: NullableOut(Type.String()),
    clientSecretExpiresAt: NullableOut(Type.String({ description: "YYYY-MM-DD" })),
  }),
  version: Type.Integer({ description: "Send back in If-Match on PUT; 0 when nothing was saved yet." }),
  updatedBy: NullableOut(Type.String()),
  updatedAt: NullableOut(Timestamp),
});

export const EmailConfigInputSchema = Type.Object(
  {
    accessType: AccessTypeSchema,
    ewsUrl: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
    accountLogon: Type.Optional(Nullable(Type.String({ maxLength: 320 }))),
    password: Type.Optional(
      Type.String({
        maxLength: 1024,
        format: "password",
        description: "Omitted or blank keeps the stored password.",
        writeOnly: true,
      }),
    ),
    authentication: Type.Optional({
      ...Literals(...EWS_AUTHENTICATIONS),
      description:
        "Microsoft Exchange Impersonation: automatic (NTLM when the server offers it, else Basic), ntlm or basic.",
    }),
    appOnly: Type.Optional(
      Type.Object(
        {
          tenantId: Type.String({ maxLength: 256 }),
          clientId: Type.String({ maxLength: 64 }),
          clientSecret: Type.Optional(Type.String({ maxLength: 1024, writeOnly: true })),
          clientSecretExpiresAt: Type.Optional(
            Type.Union([Type.String({ maxLength: 10, description: "YYYY-MM-DD" }), Type.Null()]),
          ),
          certificatePem: Type.Optional(Type.String({ maxLength: 16_384 })),
          privateKeyPem: Type.Optional(Type.String({ maxLength: 16_384, writeOnly: true })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, title: "EmailConfigInput" },
);

export const IfMatchHeaders = Type.Object({
  "if-match": Type.Optional(
    Type.String({ description: 'The version from GET (ETag), e.g. "3"; required on PUT, 412 when stale.' }),
  ),
});

const _config: Same<Static<typeof EmailConfigSchema>, EmailConfigDto> = true;
const _input: Same<Static<typeof EmailConfigInputSchema>, EmailConfigInput> = true;
