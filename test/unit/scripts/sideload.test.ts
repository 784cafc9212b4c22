import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { desktopSideloadSupported, officeDebuggingFailed } from "../../../scripts/sideload";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const tsx = path.join(root, "node_modules", ".bin", "tsx");

describe("sideload", () => {
  it("supports desktop sideloading on Windows and Mac only", () => {
    expect(desktopSideloadSupported("win32")).toBe(true);
    expect(desktopSideloadSupported("darwin")).toBe(true);
    expect(desktopSideloadSupported("linux")).toBe(false);
  });

  it("treats office-addin-debugging's 'Unable to' output as failure even when it exits 0", () => {
    expect(officeDebuggingFailed(0, "Unable to start debugging.\nError: boom")).toBe(true);
    expect(officeDebuggingFailed(0, "Unable to stop debugging.")).toBe(true);
    expect(officeDebuggingFailed(1, "")).toBe(true);
    expect(officeDebuggingFailed(0, "Starting without debugging...\nStarted.")).toBe(false);
  });

  it.runIf(process.platform === "linux")(
    "says plainly on Linux that desktop needs Windows or Mac, prints the Outlook on the web steps, and exits non-zero",
    () => {
      for (const command of ["start", "stop"]) {
        const result = spawnSync(tsx, [path.join(root, "scripts", "sideload.ts"), command], { encoding: "utf8" });

        expect(result.status).toBe(2);
        expect(result.stderr).toMatch(/needs Windows or Mac/);
        expect(result.stderr).toMatch(/Outlook on the web/);
        expect(result.stderr).toMatch(/Add a custom add-in/);
        expect(result.stderr).toContain(path.join(root, "manifest.xml"));
      }
    },
  );
});
