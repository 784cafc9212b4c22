/**
 * The backend's import arrows, read from the source: infrastructure and the exchange protocols import no domain, and
 * a domain reaches another domain only through its service (or its API schemas), never its repository or tables.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SERVER = fileURLToPath(new URL("../../../src/server/", import.meta.url));
const DOMAINS = ["orgs", "users", "audit", "emailConfig", "checks", "monitoring", "system"];
const INFRASTRUCTURE = ["db", "secrets", "net", "auth", "http", "config.ts", "errors.ts", "logging.ts"];
/** What one domain may import from another: its service surface and its API schemas. */
const PUBLIC_FILES = ["service.ts", "schemas.ts"];
/** The wiring at the top of src/server: it builds and registers the domains, so only it may import them freely. */
const WIRING = ["app.ts", "domains.ts", "context.ts", "repositories.ts", "bootstrap.ts", "main.ts"];

function filesUnder(entry: string): string[] {
  const full = path.join(SERVER, entry);
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts"))
    .map((name) => path.join(full, name));
}

/** Every relative module a file imports or re-exports, resolved to a path under src/server (.js → .ts). */
function importsOf(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)].map((match) => match[1]!);
  return specifiers.map((specifier) =>
    path.relative(SERVER, path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts"))),
  );
}

const domainOf = (relative: string): string | null => {
  const [top] = relative.split(path.sep);
  return top !== undefined && DOMAINS.includes(top) ? top : null;
};

function violations(entries: string[], rule: (from: string, to: string) => string | null): string[] {
  return entries.flatMap((entry) =>
    filesUnder(entry).flatMap((file) => {
      const from = path.relative(SERVER, file);
      return importsOf(file).flatMap((to) => {
        const broken = rule(from, to);
        return broken === null ? [] : [`${from} → ${to}: ${broken}`];
      });
    }),
  );
}

describe("the backend's import arrows", () => {
  it("finds the files it judges (the scan itself works)", () => {
    expect(filesUnder("checks").length).toBeGreaterThan(5);
    expect(importsOf(path.join(SERVER, "checks", "service.ts"))).toContain(path.join("emailConfig", "service.ts"));
  });

  it("infrastructure imports no domain and none of the wiring", () => {
    expect(
      violations(INFRASTRUCTURE, (_from, to) => {
        if (domainOf(to) !== null) return "infrastructure imports a domain";
        if (WIRING.includes(to)) return "infrastructure imports the wiring";
        return null;
      }),
    ).toEqual([]);
  });

  it("the exchange protocols import no domain", () => {
    expect(
      violations(["exchange"], (_from, to) => (domainOf(to) === null ? null : "exchange imports a domain")),
    ).toEqual([]);
  });

  it("a domain reaches another domain only through its service or its API schemas", () => {
    expect(
      violations(DOMAINS, (from, to) => {
        const target = domainOf(to);
        if (target === null || target === domainOf(from)) return null;
        return PUBLIC_FILES.includes(path.relative(target, to)) ? null : "not through that domain's service";
      }),
    ).toEqual([]);
  });

  it("a domain's repository and tables are imported by its own folder and the wiring only", () => {
    const outside = ["cli", "exchange", ...INFRASTRUCTURE];
    expect(
      violations(outside, (_from, to) =>
        domainOf(to) !== null && /(repository|tables)\.ts$/.test(to) ? "a repository outside its domain" : null,
      ),
    ).toEqual([]);
  });
});
