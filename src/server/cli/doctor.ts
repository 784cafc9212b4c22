/**
 * npm run doctor — checks a deployment's configuration the way `npm run serve` uses it (NODE_ENV=production, the
 * built pane next to the compiled server unless STATIC_DIR says otherwise), step by step: ok, or failed with the
 * fix. Exit code 1 when any step fails, 2 on a usage error. `--json` prints the steps as one JSON line.
 */
import { parseArgs } from "node:util";
import { builtPaneFolder } from "../paneFolder.js";
import { runDoctorSteps, type StepResult } from "./doctorSteps.js";

export async function runDoctor(
  env: Record<string, string | undefined> = process.env,
  paneFolder: string = builtPaneFolder(),
): Promise<{ results: StepResult[]; passed: boolean }> {
  const results = await runDoctorSteps({ ...env, NODE_ENV: "production" }, { paneFolder });
  return { results, passed: results.every((result) => result.status !== "failed") };
}

export function formatResults(results: StepResult[]): string {
  const width = Math.max(...results.map((result) => result.step.length));
  const lines = results.map((result) => {
    const status = result.status === "failed" ? "FAILED" : result.status;
    const line = `${status.padEnd(14)} ${result.step.padEnd(width)}  ${result.detail}`;
    return result.fix ? `${line}\n${" ".repeat(15 + width + 2)}fix: ${result.fix}` : line;
  });
  const failures = results.filter((result) => result.status === "failed").length;
  lines.push(failures === 0 ? "doctor: every step passed" : `doctor: ${failures} step(s) failed`);
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  let json = false;
  try {
    json = parseArgs({ args: process.argv.slice(2), options: { json: { type: "boolean", default: false } } }).values
      .json;
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: npm run doctor [-- --json]`);
    process.exit(2);
  }
  runDoctor().then(
    ({ results, passed }) => {
      console.log(json ? JSON.stringify({ passed, results }) : formatResults(results));
      process.exitCode = passed ? 0 : 1;
    },
    (error: unknown) => {
      console.error(`doctor: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
