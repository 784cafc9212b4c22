/**
 * `npm start` as a new user runs it: the real scripts/start.ts (lab, backend, Vite dev server) as a child process,
 * on free ports and a fresh data folder, so the browser test walks exactly what the README's quick start serves.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Agent, fetch } from "undici";

const projectRoot = fileURLToPath(new URL("../../..", import.meta.url));
const tsx = path.join(projectRoot, "node_modules", "tsx", "dist", "cli.mjs");

export interface RunningStart {
  labOrigin: string;
  paneUrl: string;
  backendUrl: string;
  dataDir: string;
  /** Everything start.ts and its services printed so far. */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// The lab's and the dev server's certificates are not trusted by this test process; the browser is told to accept them.
const insecure = new Agent({ connect: { rejectUnauthorized: false } });

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { dispatcher: insecure, signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Runs `npm start`'s script with the developer's environment minus any real tenant (plus `extraEnv`, e.g. the README's
 * LAB_SCENARIO), and waits until all three answer.
 */
export async function runNpmStart(timeoutMs = 180_000, extraEnv: Record<string, string> = {}): Promise<RunningStart> {
  const [labPort, backendPort, panePort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = await mkdtemp(path.join(tmpdir(), "sync-sidebar-start-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LAB_PORT: String(labPort),
    PORT: String(backendPort),
    PANE_PORT: String(panePort),
    DATA_DIR: dataDir,
  };
  for (const name of ["TOKEN_ISSUERS", "LOG_LEVEL", "DATABASE_URL", "SECRETS_KEY_FILE", "VITEST", "NODE_ENV"])
    delete env[name];
  Object.assign(env, extraEnv);
  // Its own process group, so stopping it also stops the lab, backend and Vite even if start.ts misbehaves.
  const child = spawn(process.execPath, [tsx, "scripts/start.ts"], {
    cwd: projectRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const running: RunningStart = {
    labOrigin: `https://localhost:${labPort}`,
    paneUrl: `https://localhost:${panePort}/taskpane.html`,
    backendUrl: `http://127.0.0.1:${backendPort}`,
    dataDir,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const stopped = await Promise.race([
        exited(child).then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000)),
      ]);
      // Whatever is left of the group (a service that ignored SIGTERM) goes now.
      try {
        process.kill(-child.pid!, stopped ? "SIGTERM" : "SIGKILL");
      } catch {
        // The group is already gone.
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + timeoutMs;
  const targets = [running.labOrigin, `${running.backendUrl}/api/health`, running.paneUrl];
  for (;;) {
    if (child.exitCode !== null) {
      await running.stop();
      throw new Error(`npm start exited with ${child.exitCode} before it was ready:\n${output}`);
    }
    if ((await Promise.all(targets.map(answers))).every(Boolean)) return running;
    if (Date.now() > deadline) {
      await running.stop();
      throw new Error(`npm start did not answer on ${targets.join(", ")} within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
