// `npm run bench -- NAME [args]`: runs bench/NAME.ts, which prints its figures as JSON lines on stdout.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const name = process.argv[2];
if (!name || !/^[a-z][a-z0-9-]*$/i.test(name)) {
  console.error("usage: npm run bench -- NAME   (runs bench/NAME.ts)");
  process.exit(1);
}
const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
if (!existsSync(file)) {
  console.error(`bench: no benchmark named "${name}" (bench/${name}.ts)`);
  process.exit(1);
}
await import(file);
