/**
 * TypeBox building blocks shared by the route schemas. The same schemas validate requests, shape responses and
 * generate /api/openapi.json; `Same` checks at compile time that they match the wire types in src/contract.
 */
import { Type, type Static, type TLiteral, type TSchema, type TUnion } from "@sinclair/typebox";

/** True when A and B are mutually assignable; used as `const _check: Same<Static<S>, Dto> = true`. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** A union of string literals that keeps the literal types (a mapped array would widen them to string). */
export function Literals<const T extends readonly [string, ...string[]]>(...values: T) {
  return Type.Union(values.map((value) => Type.Literal(value))) as unknown as TUnion<Array<TLiteral<T[number]>>>;
}

/*
 * Response-only shapes. fast-json-stringify serializes an `anyOf` by running a validator per branch (format checks
 * included) on every answer, so a nullable timestamp or a literal union costs a validation per field per response.
 * `nullable: true` (OpenAPI 3.0) and a string `enum` serialize directly and document the same thing. TypeBox's
 * request compiler does not know these shapes, so request schemas keep Type.Union.
 */

/** A nullable field of an answer: the schema with `nullable: true`, typed T | null. */
/** A value or null, for request and response shapes alike. */
export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

export function NullableOut<T extends TSchema>(schema: T) {
  // JSON round trip: a plain schema without TypeBox's symbols, so no validator mistakes it for the non-null T.
  const plain = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  // OpenAPI 3.0.3: `nullable` does not widen an `enum`, so a nullable enumeration lists null itself.
  if (Array.isArray(plain.enum)) plain.enum = [...(plain.enum as unknown[]), null];
  return Type.Unsafe<Static<T> | null>({ ...plain, nullable: true });
}

/** A string enumeration in an answer, typed as the union of its values. */
export function EnumOut<const T extends readonly [string, ...string[]]>(...values: T) {
  return Type.Unsafe<T[number]>({ type: "string", enum: [...values] });
}

export const Uuid = Type.String({ format: "uuid", description: "UUID" });
export const Timestamp = Type.String({ format: "date-time", description: "ISO-8601 UTC timestamp" });
export const Email = Type.String({ format: "email", maxLength: 320 });
export const RoleSchema = Type.Union([Type.Literal("admin"), Type.Literal("user")]);

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: "Problem", description: "RFC 9457 problem details; errors name each field and the rule it broke." },
);

export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: "Cursor of the next page; null on the last" }),
  });
}

export const PagingQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
};

export const OrgParams = Type.Object({ orgId: Uuid }, { additionalProperties: false });

const problemRef = Type.Ref("Problem");

/** The error answers a route can give, documented in OpenAPI. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, problemRef]));
}

/** Errors every authenticated route can answer. */
export const AUTH_ERRORS = [400, 401, 429] as const;
