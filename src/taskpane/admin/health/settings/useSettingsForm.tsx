import { Spinner } from "@fluentui/react-components";
import { useEffect, useState, type FormEvent } from "react";
import type { Resource } from "../../../hooks/useResource";
import { useExpireOnSignIn } from "../../../hooks/useExpireOnSignIn";
import { FailureMessage } from "../../FailureMessage";
import { fieldErrorsFor, type FieldErrors } from "./formErrors";

/**
 * One monitoring settings form's state: the saved document and the draft typed over it, field errors (the form's
 * own checks first, then the backend's problem+json at their fields), what is running, the last failure and the
 * notice read to screen readers. `toDraft` must be stable (a module function or memoized).
 */
export function useSettingsForm<Saved, Draft>(
  resource: Resource<Saved>,
  toDraft: (saved: Saved) => Draft,
  fields: readonly string[],
) {
  const expireOnSignIn = useExpireOnSignIn();
  const [saved, setSaved] = useState<Saved | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState("");

  useEffect(() => {
    if (resource.status === "ready") {
      setSaved(resource.value);
      setDraft(toDraft(resource.value));
    }
  }, [resource, toDraft]);

  const change = (patch: Partial<Draft>) => {
    setDraft((current) => (current === null ? current : { ...current, ...patch }));
    setNotice("");
  };

  /** Runs an action (save, send test) whose answer is the notice; a failure lands at its fields and below. */
  const run = async (what: string, action: () => Promise<string>) => {
    setFailure(null);
    setBusy(what);
    try {
      setNotice(await action());
    } catch (error) {
      expireOnSignIn(error);
      setErrors(fieldErrorsFor(error, fields));
      setFailure(error);
    } finally {
      setBusy(null);
    }
  };

  /** Saves unless the form's own checks found something; the saved answer becomes the new draft. */
  const submit = async (event: FormEvent, found: FieldErrors, save: () => Promise<Saved>, savedNotice: string) => {
    event.preventDefault();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFailure(null);
      setNotice(`${Object.keys(found).length} fields need attention.`);
      return;
    }
    await run("saving", async () => {
      const next = await save();
      setSaved(next);
      setDraft(toDraft(next));
      return savedNotice;
    });
  };

  return { saved, draft, errors, failure, busy, notice, change, run, submit };
}

/** What a settings form shows until its document has loaded: a spinner, or the failure with a retry. */
export function SettingsPending<T>({
  resource,
  reload,
  label,
}: {
  resource: Resource<T>;
  reload: () => void;
  label: string;
}) {
  return resource.status === "error" ? (
    <FailureMessage error={resource.error} onRetry={reload} />
  ) : (
    <Spinner size="small" label={label} />
  );
}
