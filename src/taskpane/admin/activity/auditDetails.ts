/**
 * An audit event's before and after in words: one line per field ("Role: user → admin"), nested settings by their
 * path ("App registration › Client ID"), never raw JSON. Secrets arrive as "[redacted]" and read as "(hidden)".
 */

const KEY_LABELS: Record<string, string> = {
  accessType: "Access type",
  accountLogon: "Account Logon",
  ewsUrl: "EWS URL",
  appOnly: "App registration",
  tenantId: "Tenant ID",
  clientId: "Client ID",
  clientSecret: "Client secret",
  hasPassword: "Password stored",
  hasClientSecret: "Client secret stored",
  displayName: "Display name",
  addedBy: "Added by",
  addedAt: "Added at",
  id: "ID",
};

/** "clientSecretExpiresAt" → "Client secret expires at", unless the key has a label of its own. */
export function keyLabel(key: string): string {
  const known = KEY_LABELS[key];
  if (known) return known;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_.]/g, " ")
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function valueText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "(none)";
  if (value === "[redacted]") return "(hidden)";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.map(valueText).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Leaf fields of a value by their labelled path. */
function flatten(value: unknown, path: string[] = [], into = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, [...path, keyLabel(key)], into);
  } else if (path.length > 0) into.set(path.join(" › "), value);
  else if (value !== null && value !== undefined) into.set("Value", value);
  return into;
}

/** One readable line per field: changed fields as "old → new"; with only one side, that side's value. */
export function changeLines(before: unknown, after: unknown): string[] {
  const old = flatten(before);
  const next = flatten(after);
  const lines: string[] = [];
  for (const key of new Set([...old.keys(), ...next.keys()])) {
    const had = old.has(key);
    const has = next.has(key);
    if (had && has) {
      const from = valueText(old.get(key));
      const to = valueText(next.get(key));
      if (from !== to) lines.push(`${key}: ${from} → ${to}`);
    } else lines.push(`${key}: ${valueText(has ? next.get(key) : old.get(key))}`);
  }
  return lines;
}
