/// <reference types="vitest/config" />
import { defineConfig, type UserConfig } from "vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { officeJsPlugin, officeJsSourceFromEnv } from "./scripts/officeJsPlugin.js";
import { loadDevCertificate } from "./scripts/devCerts.js";
import { API_PREFIX } from "./src/contract/paths.js";

const root = fileURLToPath(new URL("./src/taskpane", import.meta.url));
const outDir = fileURLToPath(new URL("./dist", import.meta.url));

// PANE_PORT and BACKEND_URL let `npm start` (and its browser test) run on other ports than the defaults.
const DEV_PORT = Number(process.env.PANE_PORT ?? 3000);
const BACKEND_URL = process.env.BACKEND_URL ?? "http://127.0.0.1:3001";

// The pane is a multi-page app rooted at src/taskpane; tests are split into vitest projects by environment.
export default defineConfig(async ({ command }): Promise<UserConfig> => {
  // Certificates only for a real dev/preview server: never under vitest, which also runs in "serve" mode.
  const devServer = command === "serve" && !process.env.VITEST;
  const https = devServer ? await loadDevCertificate() : undefined;
  const server = {
    port: DEV_PORT,
    strictPort: true,
    ...(https ? { https: { key: https.key, cert: https.cert } } : {}),
    // Only the backend's own prefix, slash included: the pane's modules are served by Vite from src/taskpane, and a
    // folder there named like the prefix would be sent to the backend instead (test/unit/scripts/devProxy.test.ts).
    proxy: { [`${API_PREFIX}/`]: { target: BACKEND_URL, changeOrigin: false } },
  };
  return {
    root,
    // Relative asset URLs let ADDIN_BASE_URL point at any path, not only a domain root.
    base: command === "build" ? "./" : "/",
    publicDir: fileURLToPath(new URL("./assets", import.meta.url)),
    plugins: [react(), officeJsPlugin(officeJsSourceFromEnv())],
    server,
    preview: server,
    build: {
      outDir,
      emptyOutDir: true,
      sourcemap: true,
      // .vite/manifest.json tells the bundle benchmark which chunks the sidebar loads before first render.
      manifest: true,
      rollupOptions: {
        input: {
          taskpane: fileURLToPath(new URL("./src/taskpane/taskpane.html", import.meta.url)),
          // The MSAL redirect page (popup bridge and Office dialog sign-in).
          auth: fileURLToPath(new URL("./src/taskpane/auth.html", import.meta.url)),
        },
      },
    },
    test: {
      root: fileURLToPath(new URL(".", import.meta.url)),
      // Prints, once per run, why any group of tests is skipped on this machine.
      globalSetup: ["test/setup/skipReasons.ts"],
      projects: [
        {
          extends: true,
          test: {
            name: "unit",
            root: fileURLToPath(new URL(".", import.meta.url)),
            environment: "jsdom",
            include: ["test/unit/taskpane/**/*.test.{ts,tsx}"],
            setupFiles: ["test/setup/dom.ts"],
          },
        },
        {
          extends: true,
          test: {
            name: "node",
            root: fileURLToPath(new URL(".", import.meta.url)),
            environment: "node",
            include: ["test/unit/**/*.test.ts"],
            exclude: ["test/unit/taskpane/**"],
            testTimeout: 60_000,
          },
        },
        {
          extends: true,
          test: {
            name: "integration",
            root: fileURLToPath(new URL(".", import.meta.url)),
            environment: "node",
            include: ["test/integration/**/*.test.ts"],
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
        {
          extends: true,
          test: {
            name: "e2e",
            root: fileURLToPath(new URL(".", import.meta.url)),
            environment: "node",
            include: ["test/e2e/**/*.test.ts"],
            testTimeout: 180_000,
            hookTimeout: 300_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
