import { describe, expect, it, vi } from "vitest";
import { officeScriptSettled, type OfficeScriptEnvironment } from "../../../../src/taskpane/office/officeScript";

function environment(overrides: Partial<OfficeScriptEnvironment> & { script?: () => HTMLScriptElement | null }) {
  let office: unknown;
  const script = document.createElement("script");
  script.src = "https://pane.test/office-js/office.js";
  const env: OfficeScriptEnvironment = {
    office: () => office,
    script: () => script,
    fetched: () => false,
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    ...overrides,
  };
  return { env, script, run: (value: unknown) => (office = value) };
}

describe("waiting for the non-blocking office.js", () => {
  it("resolves at once when office.js has already run", async () => {
    const { env, run } = environment({});
    run({});
    await expect(officeScriptSettled(env)).resolves.toBe(true);
  });

  it("resolves without Office when the page has no office.js script", async () => {
    const { env } = environment({ script: () => null });
    await expect(officeScriptSettled(env)).resolves.toBe(false);
  });

  it("waits for the script's load event", async () => {
    const { env, script, run } = environment({});
    const settled = officeScriptSettled(env);
    let done = false;
    void settled.then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(done).toBe(false);

    run({});
    script.dispatchEvent(new Event("load"));
    await expect(settled).resolves.toBe(true);
  });

  it("goes on without Office when the script fails to load", async () => {
    const { env, script } = environment({});
    const settled = officeScriptSettled(env);
    script.dispatchEvent(new Event("error"));
    await expect(settled).resolves.toBe(false);
  });

  it("sees a failure that happened before it listened, from the fetch that ended without Office", async () => {
    const fetched = vi.fn(() => true);
    const { env } = environment({ fetched });
    await expect(officeScriptSettled(env, 60_000)).resolves.toBe(false);
    expect(fetched).toHaveBeenCalledWith("https://pane.test/office-js/office.js");
  });

  it("gives up after its bound when nothing can be seen", async () => {
    const { env } = environment({});
    await expect(officeScriptSettled(env, 300)).resolves.toBe(false);
  });
});
