import { Text, makeStyles, tokens } from "@fluentui/react-components";
import { useCallback, useEffect, useMemo, useState } from "react";
import { ACCESS_TYPES } from "../../../contract/accessTypes";
import type { ConnectionProfileListItemDto } from "../../../contract/profiles";
import { useSession } from "../../auth/SessionProvider";
import { FailureMessage } from "../FailureMessage";
import { ProfilesCheck } from "../profiles/ProfilesCheck";
import { ProfilesList } from "../profiles/ProfilesList";
import { AccessTypeField } from "./AccessTypeField";
import { AppOnlySection } from "./AppOnlySection";
import { CanariesSection } from "./CanariesSection";
import { CheckPanel } from "./CheckPanel";
import type { EmailConfigDraft } from "./draft";
import { EwsUrlField } from "./EwsUrlField";
import { SaveBar } from "./SaveBar";
import { ServiceAccountFields } from "./ServiceAccountFields";
import { ServiceAccountSection } from "./ServiceAccountSection";
import { useRunEnded } from "./useCheckRun";
import { useEmailConfigForm, type DraftStore } from "./useEmailConfigForm";

const useStyles = makeStyles({
  tab: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalL, minWidth: 0 },
  form: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalM, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
});

/**
 * Email Configuration: the organization's connection profiles, and the seeds' form (access type, logon, password, EWS
 * URL + wand, OAuth), the check and Save for the one opened (the default until another is). The default profile's
 * draft is kept by the admin view across tabs; another profile's while this tab is open.
 */
export function EmailConfigTab({
  orgId,
  store,
  onDirtyChange,
}: {
  orgId: string;
  store: DraftStore;
  onDirtyChange: (dirty: boolean) => void;
}) {
  const styles = useStyles();
  const [profiles, setProfiles] = useState<ConnectionProfileListItemDto[]>([]);
  /** The profile the form edits; null: the default. */
  const [open, setOpen] = useState<ConnectionProfileListItemDto | null>(null);
  const [drafts, setDrafts] = useState<Record<string, EmailConfigDraft | null>>({});
  const [dirty, setDirty] = useState(false);
  const [defaultChanged, setDefaultChanged] = useState(0);
  const [checksEnded, setChecksEnded] = useState(0);
  const checkEnded = useCallback(() => setChecksEnded((n) => n + 1), []);
  const reportDirty = useCallback(
    (next: boolean) => {
      setDirty(next);
      onDirtyChange(next);
    },
    [onDirtyChange],
  );
  const openId = open === null || open.isDefault ? null : open.id;
  const profileStore = useMemo<DraftStore>(
    () =>
      openId === null
        ? store
        : { draft: drafts[openId] ?? null, setDraft: (draft) => setDrafts((all) => ({ ...all, [openId]: draft })) },
    [openId, store, drafts],
  );
  // A profile deleted or made the default meanwhile: the form goes back to the default.
  const current = openId === null ? null : (profiles.find((profile) => profile.id === openId) ?? null);
  useEffect(() => {
    if (openId !== null && profiles.length > 0 && (current === null || current.isDefault)) setOpen(null);
  }, [openId, profiles, current]);
  const defaultProfile = profiles.find((profile) => profile.isDefault) ?? null;
  const shown = current ?? defaultProfile;

  return (
    <div className={styles.tab}>
      <ProfilesList
        orgId={orgId}
        openProfileId={openId}
        onOpen={(profile) => setOpen(profile)}
        openBlocked={dirty ? "Save or discard the changes in the form to open another profile." : null}
        onProfiles={setProfiles}
        reloadKey={checksEnded}
        onDefaultChanged={(profile) => {
          // The default's draft (kept across tabs) now belongs to another profile: the opened profile's own draft
          // moves there when it became the default; otherwise unsaved changes stay, and saving them meets the new
          // default's version and says so.
          if (openId === profile.id) store.setDraft(drafts[openId] ?? null);
          else if (openId === null && !dirty) store.setDraft(null);
          setDefaultChanged((n) => n + 1);
        }}
      />
      {profiles.length > 1 && <ProfilesCheck orgId={orgId} onRunEnd={checkEnded} />}
      <ProfileForm
        // Each profile's form loads and checks its own configuration.
        key={`${openId ?? "default"}:${defaultChanged}`}
        orgId={orgId}
        store={profileStore}
        onDirtyChange={reportDirty}
        profileId={openId}
        // With several profiles the check names the profile it checks; with one it checks every user as before.
        checkProfileId={profiles.length > 1 ? (shown?.id ?? undefined) : undefined}
        profileName={profiles.length > 1 ? (shown?.name ?? null) : null}
        onRunEnd={checkEnded}
      />
    </div>
  );
}

function ProfileForm({
  orgId,
  store,
  onDirtyChange,
  profileId,
  checkProfileId,
  profileName,
  onRunEnd,
}: {
  orgId: string;
  store: DraftStore;
  onDirtyChange: (dirty: boolean) => void;
  profileId: string | null;
  checkProfileId: string | undefined;
  /** Shown in the heading when the organization has several profiles. */
  profileName: string | null;
  /** A check this form started or followed has ended. */
  onRunEnd: () => void;
}) {
  const styles = useStyles();
  const { me } = useSession();
  const form = useEmailConfigForm(orgId, store, onDirtyChange, profileId, checkProfileId);
  useRunEnded(form.control.run, onRunEnd);
  const { config, saved, draft, errors, change } = form;

  if (!saved || !draft) {
    if (config.status === "error") return <FailureMessage error={config.error} onRetry={form.reloadConfig} />;
    // The session's banner asks to sign in again; the configuration loads once signed in.
    if (config.status === "needs_sign_in") return null;
    return <Text aria-live="polite">Loading the email configuration…</Text>;
  }

  const usesEws = draft.accessType !== "" && ACCESS_TYPES[draft.accessType].protocol === "ews";
  const logonHasAddress = draft.accountLogon.includes("@");
  const discoveryAddress = logonHasAddress ? draft.accountLogon.trim() : (me?.email ?? "");

  return (
    <>
      <form
        className={styles.form}
        aria-labelledby="email-config-heading"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void form.save(saved.version);
        }}
      >
        <h2 id="email-config-heading" className={styles.heading}>
          {profileName === null ? "Email Configuration" : `Email Configuration: ${profileName}`}
        </h2>
        <AccessTypeField draft={draft} errors={errors} onChoose={(accessType) => change({ accessType })} />
        <ServiceAccountFields draft={draft} saved={saved} errors={errors} onChange={change} />

        {usesEws && (
          <EwsUrlField
            orgId={orgId}
            value={draft.ewsUrl}
            onChange={(ewsUrl) => change({ ewsUrl })}
            error={errors.ewsUrl}
            discoveryAddress={discoveryAddress}
            discoverySource={logonHasAddress ? "accountLogon" : "admin"}
            credentials={
              draft.accessType === "ews_basic_impersonation" && draft.password !== ""
                ? {
                    accountLogon: draft.accountLogon.trim(),
                    password: draft.password,
                    authentication: draft.authentication,
                  }
                : null
            }
          />
        )}

        {draft.accessType === "ews_oauth_impersonation" && (
          <ServiceAccountSection
            orgId={orgId}
            profileId={profileId}
            accountLogon={draft.accountLogon}
            serviceAccount={saved.serviceAccount}
            onSignedIn={form.serviceAccountSignedIn}
          />
        )}

        {draft.accessType === "graph_app_only" && (
          <AppOnlySection orgId={orgId} draft={draft} saved={saved} errors={errors} onChange={change} />
        )}

        <CheckPanel
          orgId={orgId}
          accessType={draft.accessType}
          control={form.control}
          configNote={form.configNote}
          profileName={profileName}
          onStart={(userIds) => void form.startCheck(userIds)}
        />
        <SaveBar form={form} saved={saved} />
        <div aria-live="polite" role="none">
          <Text size={200}>{form.notice}</Text>
        </div>
      </form>
      {/* Outside the form: a canary is added or removed at once, and Enter in its field must not save the form. */}
      <CanariesSection orgId={orgId} />
    </>
  );
}
