/**
 * Where the secrets keys come from: configuration in production; in development, when none is configured, a key
 * generated once into ./data/ (with a warning, since anyone who can read that folder can read the secrets).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ServerConfig } from "../config.js";
import { Keyring, generateKeyEntry, parseKey } from "./keyring.js";

interface KeyFile {
  keys: string[];
}

export function readKeyFile(file: string): string[] {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<KeyFile>;
  if (!Array.isArray(parsed.keys) || parsed.keys.some((k) => typeof k !== "string")) {
    throw new Error(`${file} must hold {"keys": ["id:base64key", ...]}`);
  }
  return parsed.keys;
}

export function writeKeyFile(file: string, keys: string[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export interface LoadedKeys {
  keyring: Keyring;
  /** Set when the keys came from (or were generated into) the development key file. */
  keyFile: string | null;
  generated: boolean;
}

export function loadKeyring(config: ServerConfig, warn: (message: string) => void): LoadedKeys {
  if (config.secrets.keys.length > 0) {
    return { keyring: new Keyring(config.secrets.keys.map(parseKey)), keyFile: null, generated: false };
  }
  if (config.environment === "production") throw new Error("SECRETS_KEYS is required in production");
  const file = path.resolve(config.secrets.keyFile);
  let generated = false;
  if (!existsSync(file)) {
    writeKeyFile(file, [generateKeyEntry(`dev${Date.now().toString(36)}`)]);
    generated = true;
  }
  warn(
    `No SECRETS_KEYS configured: using the development key in ${file}${generated ? " (just generated)" : ""}. ` +
      "Set SECRETS_KEYS in production.",
  );
  return { keyring: new Keyring(readKeyFile(file).map(parseKey)), keyFile: file, generated };
}
