import { FAILED_CHECK_RUN_STATES, type CheckRunDto } from "../../../contract/checks";
import { accessTypeWords } from "../../../contract/labels";
import { sentences } from "../../backend/messages";
import type { EmailConfigDraft } from "./draft";

/** Identifies what a run checked: the draft's settings, and whether new secrets were typed. */
export function draftKey(draft: EmailConfigDraft): string {
  const { password, clientSecret, privateKeyPem, ...settings } = draft;
  return JSON.stringify({
    ...settings,
    newPassword: password !== "",
    newSecret: clientSecret !== "",
    newKey: privateKeyPem !== "",
  });
}

export interface CheckedRun {
  key: string;
  run: CheckRunDto;
}

/**
 * The warning beside Save: this configuration was never checked, or its last check failed or was cancelled.
 * Null when its last check finished (per-user problems are the results' business, not a reason not to save).
 */
export function lastCheckWarning(options: {
  /** The form's access type: the check is named in its words. */
  accessType: string;
  dirty: boolean;
  key: string;
  savedVersion: number;
  sessionRun: CheckedRun | null;
  recent: CheckRunDto[];
}): string | null {
  const { dirty, key, savedVersion, sessionRun, recent } = options;
  const check = accessTypeWords(options.accessType).checkName;
  let run: CheckRunDto | null = null;
  if (sessionRun && sessionRun.key === key) run = sessionRun.run;
  else if (!dirty) run = recent.find((item) => !item.draft && item.configVersion === savedVersion) ?? null;
  if (!run) {
    return dirty
      ? `These changes have not been checked. Run ${check} to know they work before you save.`
      : `This configuration has never been checked. Run ${check} to know it works.`;
  }
  if (FAILED_CHECK_RUN_STATES.includes(run.state)) {
    return sentences(
      `The last check of this configuration failed: ${run.stopReason?.message ?? "it stopped early"}`,
      "Saving it anyway is allowed, but users will not be connected until it works",
    );
  }
  if (run.state === "cancelled") return "The last check of this configuration was cancelled before it finished.";
  return null;
}
