/** Argument reading shared by the lab's command-line entries (no framework: a handful of --name value pairs). */
export function readArgs(argv: string[], known: readonly string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") continue;
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match?.[1] || !known.includes(match[1])) {
      throw new Error(`unknown argument ${arg}; expected ${known.map((k) => `--${k}`).join(", ")}`);
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined || value.startsWith("--")) throw new Error(`--${match[1]} needs a value`);
    args.set(match[1], value);
  }
  return args;
}

export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
