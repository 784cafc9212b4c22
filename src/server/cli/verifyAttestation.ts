/**
 * npm run attestation:verify -- <file> --jwks <file or URL>
 * Verifies an access attestation offline (compact JWS or the pane's signed JSON) against the published keys, e.g.
 * a saved copy of GET /api/attestation-keys or that URL itself, and prints its summary. Exit 1 when it does not verify.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { JSONWebKeySet } from "jose";
import { attestationSummary, verifyAttestation } from "../attestation/verify.js";

const USAGE = "Usage: npm run attestation:verify -- <attestation file> --jwks <JWKS file or https URL>";

export class UsageError extends Error {}

async function readJwks(source: string, fetcher: typeof fetch): Promise<JSONWebKeySet> {
  if (/^https?:\/\//i.test(source)) {
    const response = await fetcher(source, { headers: { accept: "application/json" } });
    if (!response.ok) throw new UsageError(`--jwks ${source} answered HTTP ${response.status}`);
    return (await response.json()) as JSONWebKeySet;
  }
  try {
    return JSON.parse(await readFile(source, "utf8")) as JSONWebKeySet;
  } catch (error) {
    throw new UsageError(`--jwks ${source} is not a readable JWKS file (${(error as Error).message})`);
  }
}

export async function verifyAttestationCommand(argv: string[], fetcher: typeof fetch = fetch): Promise<string[]> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { jwks: { type: "string" } },
  });
  const [file] = positionals;
  if (!file) throw new UsageError(`name the attestation file\n${USAGE}`);
  if (!values.jwks) throw new UsageError(`--jwks is required\n${USAGE}`);
  const jwks = await readJwks(values.jwks, fetcher);
  let serialized: string;
  try {
    serialized = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`${file} cannot be read (${(error as Error).message})`);
  }
  return attestationSummary(await verifyAttestation(serialized, jwks));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  verifyAttestationCommand(process.argv.slice(2)).then(
    (lines) => console.log(lines.join("\n")),
    (error: unknown) => {
      console.error(`Attestation NOT verified: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
