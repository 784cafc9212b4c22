import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const fixtureDir = fileURLToPath(new URL("../../../../fixtures/ews/", import.meta.url));

/** A captured-style EWS payload from test/fixtures/ews. */
export function ewsFixture(name: string): string {
  return readFileSync(`${fixtureDir}${name}`, "utf8");
}
