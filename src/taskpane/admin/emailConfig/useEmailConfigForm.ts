/**
 * The Email Configuration form's state: the saved configuration and recent checks (loaded), the admin's draft (kept
 * by the admin view across tabs), field errors, the check in view, Save with its conflict (412) and the notice
 * read out to screen readers. EmailConfigTab only lays it out.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import type { EmailConfigDto, EmailConfigInput } from "../../../contract/api";
import type { CheckRunDto } from "../../../contract/checks";
import { useSession } from "../../auth/SessionProvider";
import { ApiError, fieldMessages } from "../../backend/errors";
import { useAction } from "../../hooks/useAction";
import { useResource } from "../../hooks/useResource";
import {
  draftFrom,
  firstInvalidField,
  formFieldErrors,
  isDirty,
  toInput,
  validateDraft,
  type EmailConfigDraft,
  type FieldErrors,
} from "./draft";
import { draftKey, lastCheckWarning, type CheckedRun } from "./lastCheck";
import { useCheckRun } from "./useCheckRun";

export interface DraftStore {
  draft: EmailConfigDraft | null;
  setDraft: (draft: EmailConfigDraft | null) => void;
}

function focusFirstInvalid(errors: FieldErrors): void {
  const first = firstInvalidField(errors);
  if (first) document.getElementById(`ec-${first.replace(".", "-")}`)?.focus();
}

export type EmailConfigForm = ReturnType<typeof useEmailConfigForm>;

/**
 * `profileId`: the connection profile the form edits (its own configuration, Save and check); null edits the
 * default profile through /email-config, as an organization with one profile has it.
 */
export function useEmailConfigForm(
  orgId: string,
  store: DraftStore,
  onDirtyChange: (dirty: boolean) => void,
  profileId: string | null = null,
  /** The profile the form's check names (several profiles); undefined checks every user, as with one profile. */
  checkProfileId?: string,
) {
  const { api } = useSession();
  const read = useCallback(
    (): Promise<EmailConfigDto> => (profileId === null ? api.emailConfig(orgId) : api.profile(orgId, profileId)),
    [api, orgId, profileId],
  );
  const loadConfig = read;
  const { resource: config, reload: reloadConfig } = useResource(loadConfig);
  const loadRecent = useCallback(() => api.recentChecks(orgId, 10), [api, orgId]);
  const { resource: recent, reload: reloadRecent } = useResource(loadRecent);
  const [saved, setSaved] = useState<EmailConfigDto | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [conflict, setConflict] = useState<EmailConfigDto | null>(null);
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

  const saving = useAction(async (version: number, input: EmailConfigInput) => {
    try {
      return profileId === null
        ? await api.saveEmailConfig(orgId, version, input)
        : await api.saveProfile(orgId, profileId, version, input);
    } catch (error) {
      // Another admin saved first: keep what was typed, show whose version is newer.
      if (error instanceof ApiError && error.status === 412) setConflict(await read().catch(() => null));
      throw error;
    }
  });

  const change = (next: Partial<EmailConfigDraft>) => {
    if (!draft) return;
    setDraft({ ...draft, ...next });
    // A field's error goes once the admin edits it.
    const cleared = { ...errors };
    for (const key of Object.keys(next)) {
      delete cleared[key];
      delete cleared[`appOnly.${key}`];
    }
    setErrors(cleared);
  };

  const validate = (): boolean => {
    if (!draft || !saved) return false;
    const found = validateDraft(draft, saved);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(found);
      const count = Object.keys(found).length;
      setNotice(count === 1 ? "1 field needs attention." : `${count} fields need attention.`);
      return false;
    }
    return true;
  };

  /** Checks every user, or the users named (a re-check after fixing one), with the form as typed. */
  const startCheck = async (userIds?: string[]) => {
    if (!draft || !validate()) return;
    const key = currentKey;
    const started = await control.start(
      dirty ? toInput(draft) : undefined,
      userIds ? { userIds } : undefined,
      checkProfileId,
    );
    if ("run" in started) setSessionRun({ key, run: started.run });
    else showServerFieldErrors(started.refused);
  };

  /** A refusal naming fields ("draft.ewsUrl") becomes those fields' own errors, and the first one gets the focus. */
  const showServerFieldErrors = (failure: unknown): boolean => {
    const found = formFieldErrors(fieldMessages(failure));
    if (Object.keys(found).length === 0) return false;
    setErrors(found);
    focusFirstInvalid(found);
    return true;
  };

  const save = async (version: number) => {
    if (!draft || !validate()) return;
    const result = await saving.run(version, toInput(draft));
    if (!result.ok) {
      const failure = result.error;
      if (!(failure instanceof ApiError && failure.status === 412)) showServerFieldErrors(failure);
      return;
    }
    const next = result.value;
    const nextDraft = draftFrom(next);
    if (sessionRun && sessionRun.key === currentKey) setSessionRun({ key: draftKey(nextDraft), run: sessionRun.run });
    setSaved(next);
    setDraft(nextDraft);
    setConflict(null);
    setNotice("The email configuration was saved.");
    reloadRecent();
  };

  const discardChanges = () => {
    if (saved) setDraft(draftFrom(saved));
    setErrors({});
    saving.reset();
  };

  const loadTheirs = () => {
    if (!conflict) return;
    setSaved(conflict);
    setDraft(draftFrom(conflict));
    setConflict(null);
    saving.reset();
    setErrors({});
  };

  const serviceAccountSignedIn = () => {
    setNotice("The service account is signed in.");
    // Only the service-account fields change on the server; the draft stays as typed.
    void read().then(
      (next) => setSaved({ ...next }),
      () => reloadConfig(),
    );
  };

  const warning =
    !draft || !saved || draft.accessType === ""
      ? null
      : lastCheckWarning({
          accessType: draft.accessType,
          dirty,
          key: currentKey,
          savedVersion: saved.version,
          sessionRun,
          recent: recent.value?.items ?? [],
        });

  // What the run in view checked, when that is not the configuration as saved now.
  const run = control.run;
  let configNote = "";
  if (run?.draft) {
    const checkedThisDraft = sessionRun?.run.id === run.id && sessionRun.key === currentKey;
    if (checkedThisDraft && !dirty) configNote = "";
    else if (checkedThisDraft) configNote = "unsaved configuration";
    else if (saved?.updatedAt && Date.parse(saved.updatedAt) >= Date.parse(run.startedAt)) {
      configNote = "a check of the form before its last save";
    } else configNote = "unsaved configuration";
  }

  return {
    config,
    reloadConfig,
    configNote,
    // The last saved configuration and the draft over it; null until the configuration has loaded.
    saved,
    draft,
    dirty,
    errors,
    // Beside Save: never checked, or the last check failed; null when there is nothing to say.
    warning,
    control,
    conflict,
    saving: saving.pending,
    saveError: saving.error,
    notice,
    change,
    startCheck,
    save,
    discardChanges,
    loadTheirs,
    serviceAccountSignedIn,
  };
}
