import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Select,
  Spinner,
  Tab,
  TabList,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from "react";
import { useSession } from "../auth/SessionProvider";
import { useBrowser } from "../browser/browserActions";
import { ActivityTab } from "./activity/ActivityTab";
import type { EmailConfigDraft } from "./emailConfig/draft";
import { EmailConfigTab } from "./emailConfig/EmailConfigTab";
import { FailureMessage } from "./FailureMessage";
import { UsersTab } from "./users/UsersTab";
import { useAdminTab, type AdminTab } from "../hooks/usePaneRoute";

const TAB_LABELS: Record<AdminTab, string> = {
  users: "Users",
  emailConfig: "Email Configuration",
  activity: "Activity",
  health: "Health",
};

// The chart library is the admin view's heaviest part: fetched only when Health is opened.
const HealthTab = lazy(() => import("./health/HealthTab"));

const useStyles = makeStyles({
  page: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    maxWidth: "60rem",
    margin: "0 auto",
    minWidth: 0,
    boxSizing: "border-box",
  },
  header: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: tokens.spacingHorizontalM },
  title: { margin: 0, fontSize: tokens.fontSizeBase500, lineHeight: tokens.lineHeightBase500, flexGrow: 1 },
  hint: { color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
  // Wrapped, not scrolled: at 320 px every section stays in sight.
  tabs: { flexWrap: "wrap" },
});

/** Admin settings: organization → Users, Email Configuration, Activity, Health. Lazy chunk; also usable full-window. */
export default function AdminApp({ onClose }: { onClose: () => void }) {
  const styles = useStyles();
  const session = useSession();
  const browser = useBrowser();
  // The tab lives in the hash (#/admin/health): deep links, back and forward.
  const [tab, setTab] = useAdminTab();
  const [chosenOrg, setChosenOrg] = useState<string | null>(null);
  const [drafts, setDrafts] = useState<Record<string, EmailConfigDraft | null>>({});
  const [dirty, setDirty] = useState(false);
  const [confirmLeave, setConfirmLeave] = useState(false);

  const adminOrgs = useMemo(() => session.me?.orgs.filter((org) => org.role === "admin") ?? [], [session.me]);
  const orgId = chosenOrg ?? adminOrgs[0]?.id ?? null;

  useEffect(() => {
    // The browser's own "leave site?" prompt when the window closes with unsaved changes.
    if (dirty) return browser.guardUnload();
  }, [dirty, browser]);

  const store = useMemo(
    () => ({
      draft: orgId ? (drafts[orgId] ?? null) : null,
      setDraft: (draft: EmailConfigDraft | null) => orgId && setDrafts((all) => ({ ...all, [orgId]: draft })),
    }),
    [drafts, orgId],
  );
  const onDirtyChange = useCallback((value: boolean) => setDirty(value), []);

  const leave = () => (dirty ? setConfirmLeave(true) : onClose());

  let content;
  if (session.status === "restoring") {
    content = <Spinner label="Checking your sign-in…" />;
  } else if (session.status === "signed_out") {
    content = (
      <>
        <Text>Sign in with your work account to manage your organization.</Text>
        {session.signInError && (
          <MessageBar intent="error" role="alert" layout="multiline">
            <MessageBarBody>
              {session.signInError.message} {session.signInError.action}
            </MessageBarBody>
          </MessageBar>
        )}
        <div>
          <Button appearance="primary" onClick={() => void session.signIn()} disabled={session.signingIn}>
            {session.signingIn ? "Signing in…" : "Sign in"}
          </Button>
        </div>
      </>
    );
  } else if (!session.me) {
    content = session.meError ? (
      <FailureMessage error={session.meError} onRetry={session.reloadMe} />
    ) : (
      <Spinner label="Loading your organizations…" />
    );
  } else if (!orgId) {
    content = (
      <MessageBar intent="info" layout="multiline">
        <MessageBarBody>
          Admin settings are for organization administrators. You are signed in as {session.me.email}, who is not an
          admin of any organization. Ask an admin to give you the admin role.
        </MessageBarBody>
      </MessageBar>
    );
  } else {
    content = (
      <>
        {adminOrgs.length > 1 && (
          <Field label="Organization">
            <Select value={orgId} onChange={(_, data) => setChosenOrg(data.value)}>
              {adminOrgs.map((org) => (
                <option key={org.id} value={org.id}>
                  {org.name}
                </option>
              ))}
            </Select>
          </Field>
        )}
        {adminOrgs.length === 1 && <Text className={styles.hint}>Organization: {adminOrgs[0]?.name}</Text>}
        <TabList
          className={styles.tabs}
          selectedValue={tab}
          onTabSelect={(_, data) => setTab(data.value as AdminTab)}
          aria-label="Admin sections"
        >
          <Tab value="users">Users</Tab>
          <Tab value="emailConfig">Email Configuration</Tab>
          <Tab value="activity">Activity</Tab>
          <Tab value="health">Health</Tab>
        </TabList>
        <div role="tabpanel" aria-label={TAB_LABELS[tab]}>
          {tab === "users" && <UsersTab key={orgId} orgId={orgId} />}
          {tab === "emailConfig" && (
            <EmailConfigTab key={orgId} orgId={orgId} store={store} onDirtyChange={onDirtyChange} />
          )}
          {tab === "activity" && <ActivityTab key={orgId} orgId={orgId} />}
          {tab === "health" && (
            <Suspense fallback={<Spinner label="Loading Health…" />}>
              <HealthTab key={orgId} orgId={orgId} />
            </Suspense>
          )}
        </div>
      </>
    );
  }

  return (
    <main className={styles.page} aria-labelledby="admin-title">
      <header className={styles.header}>
        <h1 id="admin-title" className={styles.title}>
          Admin settings
        </h1>
        <Button onClick={leave}>Back to sidebar</Button>
      </header>
      {session.account && (
        <Text size={200} className={styles.hint}>
          Signed in as {session.account.username}
        </Text>
      )}
      {session.status === "expired" && (
        <MessageBar intent="warning" role="alert" layout="multiline">
          <MessageBarBody>
            Your session has expired. Sign in again to continue; nothing you typed is lost.
            {session.signInError ? ` ${session.signInError.message} ${session.signInError.action}` : ""}
          </MessageBarBody>
          <MessageBarActions>
            <Button appearance="primary" onClick={() => void session.signIn()} disabled={session.signingIn}>
              Sign in
            </Button>
          </MessageBarActions>
        </MessageBar>
      )}
      {content}
      <Dialog open={confirmLeave} onOpenChange={(_, data) => setConfirmLeave(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Leave with unsaved changes?</DialogTitle>
            <DialogContent>
              The Email Configuration has changes that are not saved. If you leave, they are lost.
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={() => setConfirmLeave(false)}>
                Stay and keep editing
              </Button>
              <Button
                onClick={() => {
                  setConfirmLeave(false);
                  onClose();
                }}
              >
                Leave without saving
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </main>
  );
}
