import { FluentProvider, Spinner, makeStyles } from "@fluentui/react-components";
import { Suspense, lazy } from "react";
import { SessionProvider } from "./auth/SessionProvider";
import { BrowserProvider } from "./browser/browserActions";
import { usePaneRoute } from "./hooks/usePaneRoute";
import { MailboxStatusCard } from "./views/MailboxStatus/MailboxStatusCard";
import { fluentThemeFor } from "./fluentTheme";
import { MailboxHostProvider } from "./hooks/mailboxHostContext";
import { useHostTheme } from "./hooks/useHostTheme";
import { SidebarReachReporter } from "./hooks/useSidebarReach";
import type { MailboxHost } from "./office/mailboxHost";
import type { PreviewMailboxHost } from "./office/previewMailboxHost";
import { PreviewSwitcher } from "./components/PreviewSwitcher";
import { Sidebar } from "./views/Sidebar/Sidebar";

// The admin settings are their own chunk: the sidebar's first render never loads them.
const AdminApp = lazy(() => import("./admin/AdminApp"));

const useStyles = makeStyles({
  root: { minHeight: "100vh", boxSizing: "border-box" },
});

export interface AppProps {
  host: MailboxHost;
  /** The browser preview's controls; null inside Outlook. */
  preview: PreviewMailboxHost | null;
}

/**
 * Composes the pane's providers once: the host, the browser's actions, the session, then Fluent with the host's
 * theme. Views render inside.
 * Later views (the admin view, loaded lazily with React.lazy) and the sidebar's "Your mailbox" card plug in here,
 * so they stay out of the sidebar's first-render bundle.
 */
export function App({ host, preview }: AppProps) {
  const styles = useStyles();
  const themeKind = useHostTheme(host, preview?.themeSetting ?? "light");
  const [route, navigate] = usePaneRoute();
  return (
    <MailboxHostProvider host={host}>
      <BrowserProvider>
        <SessionProvider host={host}>
          <SidebarReachReporter />
          <FluentProvider theme={fluentThemeFor(themeKind)} className={styles.root} data-theme={themeKind}>
            {route === "admin" ? (
              <Suspense fallback={<Spinner label="Loading admin settings…" />}>
                <AdminApp onClose={() => navigate("sidebar")} />
              </Suspense>
            ) : (
              <>
                {preview && <PreviewSwitcher preview={preview} />}
                <Sidebar statusCards={<MailboxStatusCard onOpenAdmin={() => navigate("admin")} />} />
              </>
            )}
          </FluentProvider>
        </SessionProvider>
      </BrowserProvider>
    </MailboxHostProvider>
  );
}
