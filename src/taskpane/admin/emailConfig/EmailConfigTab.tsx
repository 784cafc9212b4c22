import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Select,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useCallback, useEffect, useMemo, useState } from "react";
import {
  ACCESS_TYPES,
  ACCESS_TYPE_IDS,
  EWS_AUTHENTICATIONS,
  EWS_AUTHENTICATION_LABELS,
  EXCHANGE_ONLINE_DATES,
  type AccessTypeId,
  type EwsAuthentication,
} from "../../../contract/accessTypes";
import type { EmailConfigDto } from "../../../contract/api";
import type { CheckRunDto } from "../../../contract/checks";
import { isExchangeOnlineUrl } from "../../../contract/exchangeOnline";
import { ApiError } from "../../backend/errors";
import { needsSignIn, useSession } from "../../auth/SessionProvider";
import { FailureMessage } from "../FailureMessage";
import { fieldState } from "../fieldState";
import { useResource } from "../useResource";
import { AppOnlySection } from "./AppOnlySection";
import { CheckPanel } from "./CheckPanel";
import { draftFrom, isDirty, toInput, validateDraft, type EmailConfigDraft, type FieldErrors } from "./draft";
import { EwsUrlField } from "./EwsUrlField";
import { draftKey, lastCheckWarning, type CheckedRun } from "./lastCheck";
import { ServiceAccountSection } from "./ServiceAccountSection";
import { useCheckRun } from "./useCheckRun";

const useStyles = makeStyles({
  tab: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalL, minWidth: 0 },
  form: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalM, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
  saveBar: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalS,
    paddingTop: tokens.spacingVerticalM,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  // A native select is as wide as its longest option unless told otherwise: in a 320 px sidebar it must shrink.
  shrinkable: { minWidth: 0, maxWidth: "100%" },
});

const FIELD_ORDER = [
  "accessType",
  "accountLogon",
  "password",
  "authentication",
  "ewsUrl",
  "appOnly.tenantId",
  "appOnly.clientId",
  "appOnly.clientSecret",
  "appOnly.certificatePem",
  "appOnly.privateKeyPem",
];

function focusFirstInvalid(errors: FieldErrors): void {
  const first = FIELD_ORDER.find((name) => errors[name]);
  if (first) document.getElementById(`ec-${first.replace(".", "-")}`)?.focus();
}

export interface DraftStore {
  draft: EmailConfigDraft | null;
  setDraft: (draft: EmailConfigDraft | null) => void;
}

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
  const { api, me, expire } = useSession();
  const loadConfig = useCallback(() => api.emailConfig(orgId), [api, orgId]);
  const [config, reloadConfig] = useResource(loadConfig);
  const loadRecent = useCallback(() => api.recentChecks(orgId, 10), [api, orgId]);
  const [recent, reloadRecent] = useResource(loadRecent);
  const [saved, setSaved] = useState<EmailConfigDto | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saveError, setSaveError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<EmailConfigDto | null>(null);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState("");
  const [sessionRun, setSessionRun] = useState<CheckedRun | null>(null);

  useEffect(() => {
    if (config.status === "ready") setSaved(config.value);
  }, [config]);

  const { draft, setDraft } = store;
  useEffect(() => {
    if (saved && draft === null) setDraft(draftFrom(saved));
  }, [saved, draft, setDraft]);

  const latestRun = useMemo<CheckRunDto | null>(() => recent.value?.items[0] ?? null, [recent.value]);
  const control = useCheckRun(orgId, latestRun);
  const dirty = saved !== null && draft !== null && isDirty(draft, saved);
  useEffect(() => {
    // While the saved configuration reloads, the draft's last verdict stands.
    if (saved && draft) onDirtyChange(dirty);
  }, [saved, draft, dirty, onDirtyChange]);

  const currentKey = draft ? draftKey(draft) : "";
  useEffect(() => {
    // Remember which draft the run in view checked, so the Save warning knows whether it still applies.
    if (control.run && sessionRun?.run.id === control.run.id && sessionRun.run !== control.run) {
      setSessionRun({ key: sessionRun.key, run: control.run });
    }
  }, [control.run, sessionRun]);

  if (!saved || !draft) {
    if (config.status === "error") return <FailureMessage error={config.error} onRetry={reloadConfig} />;
    return <Text aria-live="polite">Loading the email configuration…</Text>;
  }

  const change = (next: Partial<EmailConfigDraft>) => {
    setDraft({ ...draft, ...next });
    // A field's error goes once the admin edits it.
    const cleared = { ...errors };
    for (const key of Object.keys(next)) {
      delete cleared[key];
      delete cleared[`appOnly.${key}`];
    }
    setErrors(cleared);
  };

  const accessType = draft.accessType === "" ? null : ACCESS_TYPES[draft.accessType];
  const retired = accessType !== null && !accessType.worksWithExchangeOnline && isExchangeOnlineUrl(draft.ewsUrl);
  const usesEws = accessType?.protocol === "ews";
  const warning =
    draft.accessType === ""
      ? null
      : lastCheckWarning({
          dirty,
          key: currentKey,
          savedVersion: saved.version,
          sessionRun,
          recent: recent.value?.items ?? [],
        });

  const validate = (): boolean => {
    const found = validateDraft(draft, saved);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(found);
      setNotice(`${Object.keys(found).length} fields need attention.`);
      return false;
    }
    return true;
  };

  const startCheck = async () => {
    if (!validate()) return;
    const key = currentKey;
    const started = await control.start(dirty ? toInput(draft) : undefined);
    if (started) setSessionRun({ key, run: started });
  };

  const save = async (version: number) => {
    if (!validate()) return;
    setSaving(true);
    setSaveError(null);
    try {
      const next = await api.saveEmailConfig(orgId, version, toInput(draft));
      const nextDraft = draftFrom(next);
      if (sessionRun && sessionRun.key === currentKey) setSessionRun({ key: draftKey(nextDraft), run: sessionRun.run });
      setSaved(next);
      setDraft(nextDraft);
      setConflict(null);
      setNotice("The email configuration was saved.");
      reloadRecent();
    } catch (error) {
      if (needsSignIn(error)) expire();
      if (error instanceof ApiError && error.status === 412) {
        // Another admin saved first: keep what was typed, show whose version is newer.
        setConflict(await api.emailConfig(orgId).catch(() => null));
      } else if (error instanceof ApiError && Object.keys(error.fieldErrors).length > 0) {
        setErrors(error.fieldErrors);
        focusFirstInvalid(error.fieldErrors);
      }
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  };

  const chooseType = (id: AccessTypeId | "") => change({ accessType: id });
  const discoveryAddress = draft.accountLogon.includes("@") ? draft.accountLogon.trim() : (me?.email ?? "");

  return (
    <div className={styles.tab}>
      <form
        className={styles.form}
        aria-labelledby="email-config-heading"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void save(saved.version);
        }}
      >
        <h2 id="email-config-heading" className={styles.heading}>
          Email Configuration
        </h2>
        <Field
          label="Mailbox Access Type"
          required
          hint={accessType?.guidance ?? "How Sync Sidebar reaches your users' mailboxes."}
          {...fieldState(errors, "accessType")}
        >
          <Select
            id="ec-accessType"
            className={styles.shrinkable}
            select={{ className: styles.shrinkable }}
            value={draft.accessType}
            onChange={(_, d) => chooseType(d.value as AccessTypeId | "")}
          >
            <option value="">Choose an access type…</option>
            {ACCESS_TYPE_IDS.map((id) => (
              <option key={id} value={id}>
                {ACCESS_TYPES[id].label}
              </option>
            ))}
          </Select>
        </Field>

        {retired && (
          <MessageBar intent="warning" layout="multiline" data-testid="retired-notice">
            <MessageBarBody>
              <MessageBarTitle>This access type cannot work against Exchange Online</MessageBarTitle>
              Microsoft removed ApplicationImpersonation from Exchange Online on{" "}
              {EXCHANGE_ONLINE_DATES.applicationImpersonationRemoved}; EWS is blocked tenant by tenant since{" "}
              {EXCHANGE_ONLINE_DATES.ewsBlockingStarted} and shuts down on {EXCHANGE_ONLINE_DATES.ewsShutdown}. For
              Exchange Online use {ACCESS_TYPES.graph_app_only.label}, scoped with RBAC for Applications.
            </MessageBarBody>
            <MessageBarActions>
              <Button onClick={() => chooseType("graph_app_only")}>Switch to App-only</Button>
            </MessageBarActions>
          </MessageBar>
        )}

        {(draft.accessType === "ews_basic_impersonation" || draft.accessType === "ews_oauth_impersonation") && (
          <Field
            label="Account Logon"
            required={draft.accessType === "ews_basic_impersonation"}
            hint={
              draft.accessType === "ews_basic_impersonation"
                ? "The impersonating service account: CONTOSO\\svc-sync (down-level), svc-sync@contoso.com (UPN), or its email address when that is the UPN"
                : "The impersonating service account's email address"
            }
            {...fieldState(errors, "accountLogon")}
          >
            <Input
              id="ec-accountLogon"
              type={draft.accessType === "ews_basic_impersonation" ? "text" : "email"}
              autoComplete="off"
              value={draft.accountLogon}
              onChange={(_, d) => change({ accountLogon: d.value })}
            />
          </Field>
        )}

        {draft.accessType === "ews_basic_impersonation" && (
          <Field
            label="Password"
            required={!saved.hasPassword}
            hint={
              saved.hasPassword
                ? "A password is stored. Leave blank to keep it; type a new one to replace it."
                : "The service account's password. It is stored encrypted and never shown again."
            }
            {...fieldState(errors, "password")}
          >
            <Input
              id="ec-password"
              type="password"
              autoComplete="new-password"
              value={draft.password}
              placeholder={saved.hasPassword ? "•••••••• (stored)" : ""}
              onChange={(_, d) => change({ password: d.value })}
            />
          </Field>
        )}

        {draft.accessType === "ews_basic_impersonation" && (
          <Field
            label="Authentication"
            hint={EWS_AUTHENTICATION_LABELS[draft.authentication].guidance}
            {...fieldState(errors, "authentication")}
          >
            <Select
              id="ec-authentication"
              className={styles.shrinkable}
              select={{ className: styles.shrinkable }}
              value={draft.authentication}
              onChange={(_, d) => change({ authentication: d.value as EwsAuthentication })}
            >
              {EWS_AUTHENTICATIONS.map((id) => (
                <option key={id} value={id}>
                  {EWS_AUTHENTICATION_LABELS[id].label}
                </option>
              ))}
            </Select>
          </Field>
        )}

        {usesEws && (
          <EwsUrlField
            orgId={orgId}
            value={draft.ewsUrl}
            onChange={(ewsUrl) => change({ ewsUrl })}
            error={errors.ewsUrl}
            discoveryAddress={discoveryAddress}
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
            onSignedIn={() => {
              setNotice("The service account is signed in.");
              // Only the service-account fields change on the server; the draft stays as typed.
              void api.emailConfig(orgId).then(
                (next) => setSaved({ ...next }),
                () => reloadConfig(),
              );
            }}
          />
        )}

        {draft.accessType === "graph_app_only" && (
          <AppOnlySection orgId={orgId} draft={draft} saved={saved} errors={errors} onChange={change} />
        )}

        <CheckPanel orgId={orgId} control={control} onStart={() => void startCheck()} />

        <div className={styles.saveBar}>
          {warning && (
            <MessageBar intent="warning" layout="multiline" data-testid="check-warning">
              <MessageBarBody>{warning}</MessageBarBody>
            </MessageBar>
          )}
          {conflict && (
            <MessageBar intent="error" layout="multiline" role="alert">
              <MessageBarBody>
                <MessageBarTitle>Someone else saved first</MessageBarTitle>
                {conflict.updatedBy ?? "Another administrator"} saved the configuration
                {conflict.updatedAt ? ` at ${new Date(conflict.updatedAt).toLocaleString()}` : ""} while you were
                editing. Your changes are still in the form.
              </MessageBarBody>
              <MessageBarActions>
                <Button onClick={() => void save(conflict.version)}>Save mine over theirs</Button>
                <Button
                  onClick={() => {
                    setSaved(conflict);
                    setDraft(draftFrom(conflict));
                    setConflict(null);
                    setSaveError(null);
                    setErrors({});
                  }}
                >
                  Discard mine, load theirs
                </Button>
              </MessageBarActions>
            </MessageBar>
          )}
          {saveError !== null && !conflict && <FailureMessage error={saveError} />}
          <div className={styles.row}>
            <Button type="submit" appearance="primary" disabled={saving || (!dirty && saved.version > 0)}>
              {saving ? "Saving…" : "Save"}
            </Button>
            <Button
              disabled={!dirty || saving}
              onClick={() => {
                setDraft(draftFrom(saved));
                setErrors({});
                setSaveError(null);
              }}
            >
              Discard changes
            </Button>
            <Text size={200}>
              {dirty
                ? "Unsaved changes"
                : saved.updatedBy
                  ? `Saved by ${saved.updatedBy}${saved.updatedAt ? ` on ${new Date(saved.updatedAt).toLocaleString()}` : ""}`
                  : "Not saved yet"}
            </Text>
          </div>
        </div>
        <div aria-live="polite" role="none">
          <Text size={200}>{notice}</Text>
        </div>
      </form>
    </div>
  );
}
