import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";

/** Microsoft's CDN copy: AppSource requires production add-ins to load Office.js from here. */
export const OFFICE_JS_CDN_URL = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js";
const PLACEHOLDER = /<!--\s*office-js:[^>]*-->/;
const LOCAL_PREFIX = "/office-js/";
const officeJsDist = fileURLToPath(new URL("../node_modules/@microsoft/office-js/dist/", import.meta.url));

export type OfficeJsSource = "cdn" | "local";

/** What office.js fetches before Office.onReady resolves outside Office (it waits forever if one is missing). */
const LOCAL_BUILD_FILES = ["office.js", "o15apptofilemappingtable.js"];

/** OFFICE_JS=local makes a build ship the npm copy (tests run offline); anything else keeps the CDN. */
export function officeJsSourceFromEnv(env: NodeJS.ProcessEnv = process.env): OfficeJsSource {
  return env.OFFICE_JS === "local" ? "local" : "cdn";
}

/**
 * async: the page parses and paints its shell while office.js downloads (a plain script in the head blocked the
 * first paint for seconds); the pane waits for it before Office.onReady (src/taskpane/office/officeScript.ts).
 */
export function officeJsScriptTag(src: string): string {
  return `<script src="${src}" async data-office-js></script>`;
}

/**
 * Puts the Office.js script tag into taskpane.html: the dev server serves the copy in @microsoft/office-js (the whole
 * folder, so Outlook can load its host files), a build points at the CDN, or with OFFICE_JS=local ships office.js
 * beside the pane (enough for the browser preview; inside Outlook use the CDN build).
 */
export function officeJsPlugin(source: OfficeJsSource): Plugin {
  let command: "serve" | "build" = "build";
  return {
    name: "sync-sidebar:office-js",
    configResolved(config) {
      command = config.command;
    },
    transformIndexHtml(html) {
      if (!PLACEHOLDER.test(html)) throw new Error("taskpane.html lost its <!-- office-js: --> placeholder");
      const src =
        command === "serve"
          ? `${LOCAL_PREFIX}office.js`
          : source === "local"
            ? "./office-js/office.js"
            : OFFICE_JS_CDN_URL;
      return html.replace(PLACEHOLDER, officeJsScriptTag(src));
    },
    generateBundle() {
      if (command !== "build" || source !== "local") return;
      for (const file of LOCAL_BUILD_FILES) {
        this.emitFile({
          type: "asset",
          fileName: `office-js/${file}`,
          source: readFileSync(path.join(officeJsDist, file)),
        });
      }
    },
    configureServer(server) {
      // The pane is the only page; send the bare origin there.
      server.middlewares.use((req, res, next) => {
        if (req.url !== "/") return next();
        res.statusCode = 302;
        res.setHeader("Location", "/taskpane.html");
        res.end();
      });
      server.middlewares.use(LOCAL_PREFIX, (req, res, next) => {
        const relative = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/");
        const file = path.join(officeJsDist, path.normalize(relative));
        if (!file.startsWith(officeJsDist) || !existsSync(file) || !statSync(file).isFile()) return next();
        res.setHeader(
          "Content-Type",
          file.endsWith(".js") ? "text/javascript; charset=utf-8" : "application/octet-stream",
        );
        createReadStream(file).pipe(res);
      });
    },
  };
}
