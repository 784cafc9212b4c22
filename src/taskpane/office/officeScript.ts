/**
 * office.js loads without blocking the page (an async script in taskpane.html), so the shell paints at once; the
 * pane waits for it here, before Office.onReady, and goes on without it when it could not load.
 */
export const OFFICE_SCRIPT_SELECTOR = "script[data-office-js]";

export interface OfficeScriptEnvironment {
  /** The Office global once office.js ran, else undefined. */
  office: () => unknown;
  /** The office.js script element, or null when the page has none (tests, auth.html). */
  script: () => HTMLScriptElement | null;
  /** Whether the browser finished fetching the script (it ran, or it failed). */
  fetched: (src: string) => boolean;
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const browserEnvironment = (): OfficeScriptEnvironment => ({
  office: () => (globalThis as { Office?: unknown }).Office,
  script: () => globalThis.document?.querySelector<HTMLScriptElement>(OFFICE_SCRIPT_SELECTOR) ?? null,
  fetched: (src) =>
    typeof performance !== "undefined" &&
    performance.getEntriesByName(src, "resource").some((entry) => (entry as PerformanceResourceTiming).responseEnd > 0),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
});

/**
 * Resolves once office.js has run (true) or could not (false): its load or error event, or, when either came
 * before this was called, the resource timing entry of a fetch that ended without an Office global. `giveUpMs`
 * bounds the wait when none of them can be seen.
 */
export function officeScriptSettled(
  env: OfficeScriptEnvironment = browserEnvironment(),
  giveUpMs = 30_000,
): Promise<boolean> {
  if (env.office() !== undefined) return Promise.resolve(true);
  const script = env.script();
  if (!script) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timers: unknown[] = [];
    const finish = () => {
      script.removeEventListener("load", finish);
      script.removeEventListener("error", finish);
      timers.forEach((timer) => env.clearTimeout(timer));
      resolve(env.office() !== undefined);
    };
    script.addEventListener("load", finish);
    script.addEventListener("error", finish);
    // Fetched already but no Office: it failed before we listened (or runs in a moment: give it one more turn).
    const poll = () => {
      if (env.office() !== undefined) return finish();
      if (env.fetched(script.src)) timers.push(env.setTimeout(finish, 100));
      else timers.push(env.setTimeout(poll, 100));
    };
    poll();
    timers.push(env.setTimeout(finish, giveUpMs));
  });
}
