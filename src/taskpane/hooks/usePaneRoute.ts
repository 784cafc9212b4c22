import { useCallback, useSyncExternalStore } from "react";

/** The pane's two screens; "#/admin" opens the admin settings (also bookmarkable full-window in a browser). */
export type PaneRoute = "sidebar" | "admin";

/** The admin settings' tabs, each with its own deep link: "#/admin/health", "#/admin/users", … */
export type AdminTab = "users" | "emailConfig" | "activity" | "health";

export const ADMIN_TAB_SLUGS: Readonly<Record<AdminTab, string>> = {
  users: "users",
  emailConfig: "email-config",
  activity: "activity",
  health: "health",
};

/** "#/admin" alone opens here. */
export const DEFAULT_ADMIN_TAB: AdminTab = "emailConfig";

const ADMIN_PREFIX = "#/admin";

function hash(): string {
  return globalThis.location?.hash ?? "";
}

function current(): PaneRoute {
  return hash().startsWith(ADMIN_PREFIX) ? "admin" : "sidebar";
}

/** The tab a hash names: "#/admin/health" → health; "#/admin", an unknown slug or another screen → the default. */
export function adminTabOf(value: string): AdminTab {
  const match = /^#\/admin\/([^/?#]+)/.exec(value);
  const slug = match?.[1];
  const found = (Object.keys(ADMIN_TAB_SLUGS) as AdminTab[]).find((tab) => ADMIN_TAB_SLUGS[tab] === slug);
  return found ?? DEFAULT_ADMIN_TAB;
}

export function adminTabHash(tab: AdminTab): string {
  return `${ADMIN_PREFIX}/${ADMIN_TAB_SLUGS[tab]}`;
}

function subscribe(listener: () => void): () => void {
  window.addEventListener("hashchange", listener);
  return () => window.removeEventListener("hashchange", listener);
}

export function usePaneRoute(): [PaneRoute, (route: PaneRoute) => void] {
  const route = useSyncExternalStore(subscribe, current, () => "sidebar" as const);
  const navigate = useCallback((next: PaneRoute) => {
    window.location.hash = next === "admin" ? ADMIN_PREFIX : "";
  }, []);
  return [route, navigate];
}

/**
 * The admin tab in view, read from the hash; choosing one sets the hash (a history entry), so a deep link opens it
 * and the browser's back and forward buttons move between tabs.
 */
export function useAdminTab(): [AdminTab, (tab: AdminTab) => void] {
  const tab = useSyncExternalStore(
    subscribe,
    () => adminTabOf(hash()),
    () => DEFAULT_ADMIN_TAB,
  );
  const choose = useCallback((next: AdminTab) => {
    const target = adminTabHash(next);
    if (window.location.hash !== target) window.location.hash = target;
  }, []);
  return [tab, choose];
}
