import { useCallback, useSyncExternalStore } from "react";

/** The pane's two screens; "#/admin" opens the admin settings (also bookmarkable full-window in a browser). */
export type PaneRoute = "sidebar" | "admin";

function current(): PaneRoute {
  return globalThis.location?.hash.startsWith("#/admin") ? "admin" : "sidebar";
}

function subscribe(listener: () => void): () => void {
  window.addEventListener("hashchange", listener);
  return () => window.removeEventListener("hashchange", listener);
}

export function usePaneRoute(): [PaneRoute, (route: PaneRoute) => void] {
  const route = useSyncExternalStore(subscribe, current, () => "sidebar" as const);
  const navigate = useCallback((next: PaneRoute) => {
    window.location.hash = next === "admin" ? "#/admin" : "";
  }, []);
  return [route, navigate];
}
