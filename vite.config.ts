/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("./src/taskpane", import.meta.url));
const outDir = fileURLToPath(new URL("./dist", import.meta.url));

// The pane is a multi-page app rooted at src/taskpane; tests are split into vitest projects by environment.
export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: {
        taskpane: fileURLToPath(new URL("./src/taskpane/taskpane.html", import.meta.url)),
      },
    },
  },
  test: {
    root: fileURLToPath(new URL(".", import.meta.url)),
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
          include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
          exclude: ["test/unit/taskpane/**"],
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
});
