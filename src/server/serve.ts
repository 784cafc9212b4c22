/**
 * `npm run serve`: the compiled backend in production, serving the built pane (dist/) and the API from one origin.
 * NODE_ENV is production whatever the shell says, so the production rules of the configuration always apply.
 */
import { builtPaneFolder } from "./paneFolder.js";

process.env.NODE_ENV = "production";
process.env.STATIC_DIR ||= builtPaneFolder();
await import("./main.js");
