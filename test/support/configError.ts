/** The ConfigError loadConfig refuses `env` with; the calling test fails when loadConfig accepts it. */
import { expect } from "vitest";
import { ConfigError, loadConfig } from "../../src/server/config.js";

export function configError(env: Record<string, string>): ConfigError {
  let thrown: unknown = null;
  try {
    loadConfig(env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `loadConfig accepted ${JSON.stringify(Object.keys(env))}`).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}
