/**
 * The backend as a separate process (`node --import tsx src/server/main.ts`), wired to a lab: used by the crash test
 * (SIGKILL mid-run, restart) and by the checks benchmark (peak RSS from /proc/<pid>/status VmHWM).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export { backendEnvForLab, type LabEndpoints } from "../../scripts/labEnv.js";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface BackendProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** The last lines the process wrote (for failure messages). */
  output(): string;
  /** Peak resident set size so far, in MB (VmHWM). */
  peakRssMb(): number;
  /** CPU time the process used so far (user + system, from /proc/<pid>/stat), in ms. */
  cpuMs(): number;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnOptions {
  timeoutMs?: number;
  /** Node flags for the backend, e.g. a heap ceiling (--max-old-space-size=128). */
  nodeFlags?: string[];
}

export async function spawnBackend(env: Record<string, string>, options: SpawnOptions = {}): Promise<BackendProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const port = await freePort();
  // `node --import tsx` rather than the tsx CLI, so the pid is the server's own (for SIGKILL and VmHWM).
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), "--import", "tsx", "src/server/main.ts"], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      RATE_LIMIT_MAX: "1000000",
      // The default daily 06:00 re-check must not start a run in the middle of a test that runs at that hour.
      MONITORING_TICK_MS: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`backend exited with ${child.exitCode}:\n${lines.join("\n")}`);
    try {
      const health = await fetch(`${url}/api/health`);
      if (health.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`backend did not become healthy in ${timeoutMs} ms:\n${lines.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid ?? 0;
  return {
    url,
    pid,
    child,
    output: () => lines.join("\n"),
    peakRssMb() {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? "0");
      return Math.round(kb / 1024);
    },
    cpuMs() {
      // Fields after the command name: state is field 3, utime 14 and stime 15, in clock ticks (USER_HZ = 100).
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
