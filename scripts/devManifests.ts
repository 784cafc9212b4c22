// `npm run package:dev`: the dev app package dist-dev/sync-sidebar.zip, the unified twin of the committed
// manifest.xml: every URL on the dev server (https://localhost:3000), signing in with the lab's pane app. Sideload
// it in new Outlook or Outlook on the web (Add a custom add-in → Add from file) while `npm start` runs.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { APP_PACKAGE_NAME, appPackage, unifiedManifestFrom, type UnifiedAuthOptions } from "./unifiedManifest";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
export const DEV_PACKAGE_DIR = path.join(projectRoot, "dist-dev");

/** The lab's demo pane app: what `npm start` signs the pane in with. */
function labPaneAuth(): UnifiedAuthOptions {
  const scenario = JSON.parse(readFileSync(path.join(projectRoot, "src/lab/scenarios/demo.json"), "utf8")) as {
    apps: { spa: { clientId: string }; backend: { apiScope: string } };
  };
  return { clientId: scenario.apps.spa.clientId, apiScopes: [scenario.apps.backend.apiScope] };
}

/** The dev unified manifest, from the committed manifest.xml as it is. */
export function devUnifiedManifest(): Record<string, unknown> {
  return unifiedManifestFrom(readFileSync(path.join(projectRoot, "manifest.xml"), "utf8"), labPaneAuth());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(DEV_PACKAGE_DIR, { recursive: true });
  const file = path.join(DEV_PACKAGE_DIR, APP_PACKAGE_NAME);
  writeFileSync(file, appPackage(devUnifiedManifest()));
  console.log(`package:dev: ${path.relative(projectRoot, file)} (URLs on https://localhost:3000)`);
}
