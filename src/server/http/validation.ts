/**
 * Request validation with TypeBox's compiler: the same schemas feed Fastify's validation and the OpenAPI document.
 * Errors name the field (dotted path) and the rule; unions report the branch the input came closest to.
 */
import { FormatRegistry, type TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value, ValueErrorType, type ValueError, type ValueErrorIterator } from "@sinclair/typebox/value";
import type { FastifySchemaCompiler } from "fastify";
import { isIP } from "node:net";
import { displayNameProblem, isDisplayName } from "../../contract/displayName.js";
import { emailAddressProblem, isEmailAddress } from "../../contract/emailAddress.js";
import { isGuid } from "../../contract/identifiers.js";
import { isPassword, passwordProblem } from "../../contract/password.js";
import { RequestValidationError, type FieldError } from "../errors.js";

/** Formats whose refusal is a sentence naming what is wrong (the character and where), not "must be a valid …". */
const FORMAT_PROBLEMS: Record<string, (value: string) => string | null> = {
  email: (value) => {
    const problem = emailAddressProblem(value);
    return problem === null ? null : `must be a valid email address: it ${problem}`;
  },
  "display-name": displayNameProblem,
  password: passwordProblem,
};

let formatsRegistered = false;
function registerFormats(): void {
  if (formatsRegistered) return;
  formatsRegistered = true;
  FormatRegistry.Set("email", isEmailAddress);
  FormatRegistry.Set("display-name", isDisplayName);
  FormatRegistry.Set("password", isPassword);
  FormatRegistry.Set("uuid", isGuid);
  FormatRegistry.Set("date-time", (value) => !Number.isNaN(Date.parse(value)));
  FormatRegistry.Set("ip", (value) => isIP(value) !== 0);
  FormatRegistry.Set("uri", (value) => URL.canParse(value));
}

function describe(error: ValueError): string {
  const schema = error.schema as { format?: string; maxLength?: number; minLength?: number; maxItems?: number };
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return "is required";
    case ValueErrorType.ObjectAdditionalProperties:
      return "is not an accepted field";
    case ValueErrorType.StringFormat: {
      const problem = typeof error.value === "string" ? FORMAT_PROBLEMS[schema.format ?? ""]?.(error.value) : null;
      return problem ?? `must be a valid ${schema.format ?? "value"}`;
    }
    case ValueErrorType.StringMaxLength:
      return `must be at most ${schema.maxLength ?? 0} characters`;
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1 ? "must not be empty" : `must be at least ${schema.minLength ?? 0} characters`;
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${schema.maxItems ?? 0} items`;
    default:
      return error.message.charAt(0).toLowerCase() + error.message.slice(1);
  }
}

function fieldName(part: string, path: string): string {
  const dotted = path
    .replace(/^\//, "")
    .split("/")
    .filter((segment) => segment.length > 0)
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".");
  if (part === "body") return dotted || "body";
  const prefix = part === "querystring" ? "query" : part;
  return dotted ? `${prefix}.${dotted}` : prefix;
}

/** Picks, for a union, the branch with the fewest errors: the one the caller evidently meant. */
function flatten(errors: Iterable<ValueError>, limit: number): ValueError[] {
  const result: ValueError[] = [];
  for (const error of errors) {
    if (error.type === ValueErrorType.Union && error.errors.length > 0) {
      const branches = error.errors.map((branch: ValueErrorIterator) => flatten(branch, limit));
      const closest = branches.reduce((best, branch) => (branch.length < best.length ? branch : best));
      result.push(...closest);
    } else {
      result.push(error);
    }
    if (result.length >= limit) break;
  }
  return result.slice(0, limit);
}

export function fieldErrors(part: string, errors: Iterable<ValueError>, limit = 20): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of flatten(errors, limit)) {
    const field = fieldName(part, error.path);
    const message = describe(error);
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message });
  }
  return out;
}

/** An object schema whose fields are all strings without defaults (e.g. `{ orgId: Uuid }`). */
function onlyPlainStrings(schema: TSchema): boolean {
  const properties = (schema as { type?: unknown; properties?: Record<string, TSchema> }).properties;
  if (schema.type !== "object" || properties === undefined) return false;
  return Object.values(properties).every((field) => field.type === "string" && field.default === undefined);
}

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  registerFormats();
  const check = TypeCompiler.Compile(schema);
  const part = httpPart ?? "body";
  // Query strings, params and headers arrive as text: convert to the schema's types (and fill defaults) before
  // checking, unless every field is a plain string without a default, where conversion would change nothing.
  const converts = part !== "body" && !onlyPlainStrings(schema);
  return (input: unknown) => {
    const value = converts ? Value.Default(schema, Value.Convert(schema, input)) : input;
    if (check.Check(value)) return { value };
    return { error: new RequestValidationError(fieldErrors(part, check.Errors(value))) };
  };
};
