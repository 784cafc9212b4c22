import { Text, makeStyles, tokens } from "@fluentui/react-components";
import { useEffect, useState } from "react";
import { ACCESS_TYPES } from "../../../contract/accessTypes";
import type { EmailConfigDto } from "../../../contract/api";
import { useSession } from "../../auth/SessionProvider";
import { FailureMessage } from "../FailureMessage";
import { ProfilesList } from "../profiles/ProfilesList";
import { AccessTypeField } from "./AccessTypeField";
import { AppOnlySection } from "./AppOnlySection";
import { CanariesSection } from "./CanariesSection";
import { CheckPanel } from "./CheckPanel";
import { draftFrom } from "./draft";
import { EwsUrlField } from "./EwsUrlField";
import { SaveBar } from "./SaveBar";
import { ServiceAccountFields } from "./ServiceAccountFields";
import { ServiceAccountSection } from "./ServiceAccountSection";
import { useEmailConfigForm, type DraftStore } from "./useEmailConfigForm";

const useStyles = makeStyles({
  tab: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalL, minWidth: 0 },
  form: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalM, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
});

/** Email Configuration: the seeds' form (access type, logon, password, EWS URL + wand, OAuth), the check, and Save. */
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
  const { me } = useSession();
  const form = useEmailConfigForm(orgId, store, onDirtyChange);
  const { config, saved, draft, errors, change } = form;
  // Another profile became the default: the form edits it once its configuration has loaded (the one replaced).
  const [replacing, setReplacing] = useState<EmailConfigDto | null>(null);
  const { setDraft } = store;
  useEffect(() => {
    if (replacing && config.status === "ready" && config.value !== replacing) {
      setDraft(draftFrom(config.value));
      setReplacing(null);
    }
  }, [replacing, config, setDraft]);

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
    <div className={styles.tab}>
      <ProfilesList
        orgId={orgId}
        onDefaultChanged={() => {
          // Unsaved changes stay: saving them then meets the new default's version and says so.
          if (!form.dirty) setReplacing(config.value);
          form.reloadConfig();
        }}
      />
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
          Email Configuration
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
          onStart={(userIds) => void form.startCheck(userIds)}
        />
        <SaveBar form={form} saved={saved} />
        <div aria-live="polite" role="none">
          <Text size={200}>{form.notice}</Text>
        </div>
      </form>
      {/* Outside the form: a canary is added or removed at once, and Enter in its field must not save the form. */}
      <CanariesSection orgId={orgId} />
    </div>
  );
}
