// `npm start`: runs the development services together with prefixed output, and stops them all on Ctrl+C or when
// one exits. Today that is the pane's HTTPS dev server; the backend and the Exchange lab join this list.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

interface Service {
  name: string;
  command: string;
  args: string[];
}

const services: Service[] = [
  { name: "pane", command: process.execPath, args: [path.join(projectRoot, "node_modules", "vite", "bin", "vite.js")] },
];

function prefixLines(name: string, chunk: Buffer, write: (text: string) => void): void {
  for (const line of chunk.toString().split(/\r?\n/)) if (line.trim() !== "") write(`[${name}] ${line}\n`);
}

const children = new Map<string, ChildProcess>();
let stopping = false;

function stopAll(exitCode: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) if (child.exitCode === null) child.kill("SIGTERM");
  process.exitCode = exitCode;
}

for (const service of services) {
  const child = spawn(service.command, service.args, { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] });
  children.set(service.name, child);
  child.stdout.on("data", (chunk: Buffer) => prefixLines(service.name, chunk, (t) => process.stdout.write(t)));
  child.stderr.on("data", (chunk: Buffer) => prefixLines(service.name, chunk, (t) => process.stderr.write(t)));
  child.on("exit", (code, signal) => {
    if (!stopping) console.error(`[${service.name}] exited (${signal ?? code}); stopping the others`);
    stopAll(code ?? 1);
  });
}

console.log(
  "start: the pane is at https://localhost:3000/taskpane.html (browser preview outside Outlook); Ctrl+C stops",
);
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));
