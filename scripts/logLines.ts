/** `npm start`'s readable output: the backend's pino JSON lines become "warn: message (key=value …)". */
const LEVELS: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
const ENVELOPE = new Set(["level", "time", "pid", "hostname", "msg", "reqId"]);

/** A pino line in plain words; any other line is returned as it is. */
export function formatLogLine(line: string): string {
  if (!line.startsWith("{")) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry.level !== "number" || typeof entry.msg !== "string") return line;
  const details = Object.entries(entry)
    .filter(([key]) => !ENVELOPE.has(key))
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  const level = LEVELS[entry.level] ?? String(entry.level);
  return `${level}: ${entry.msg}${details.length > 0 ? ` (${details.join(" ")})` : ""}`;
}
