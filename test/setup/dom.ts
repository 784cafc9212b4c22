// Setup for the jsdom (`unit`) project: DOM matchers, the Office test double as the global `Office`, and a clean
// slate (double reset, React trees unmounted) around every test.
import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";
import { double } from "./officeDouble";

(globalThis as { Office?: unknown }).Office = double.office;

// Role queries walk Fluent's large accessibility trees; on a loaded 2-core CI machine one query can take over a
// second, so the default 1 s for findBy*/waitFor turns slowness into failures. Behaviour is still awaited, not slept.
configure({ asyncUtilTimeout: 5000 });

// jsdom has no matchMedia; the pane asks it about forced colours (high contrast). Tests may replace it.
if (typeof window.matchMedia !== "function") {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      addListener: () => undefined,
      removeListener: () => undefined,
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

beforeEach(() => double.reset());
afterEach(() => {
  cleanup();
  // The pane keeps its screen and admin tab in the hash: the next test starts on no deep link.
  if (window.location.hash !== "") window.history.replaceState(null, "", window.location.pathname);
});
