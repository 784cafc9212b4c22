/** Opaque cursors: the sort key of the last item seen, base64url JSON, validated on the way back in. */
import { badRequest } from "../errors.js";

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string | undefined, parts: number): string[] | null {
  if (cursor === undefined || cursor === "") return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(key) && key.length === parts && key.every((part) => typeof part === "string")) {
      return key;
    }
  } catch {
    // Fall through to the uniform error below.
  }
  throw badRequest("query.cursor is not a cursor this server issued", [
    { field: "query.cursor", message: "must be a cursor returned by a previous page" },
  ]);
}

/** Escapes LIKE wildcards so a search for "50%" matches literally. */
export function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
