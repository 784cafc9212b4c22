import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { EmailConfigDto } from "../../../contract/api";
import { allFieldsShown } from "../../backend/errors";
import { FailureMessage } from "../FailureMessage";
import { FORM_FIELD_PATHS } from "./draft";
import type { EmailConfigForm } from "./useEmailConfigForm";

const useStyles = makeStyles({
  saveBar: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalS,
    paddingTop: tokens.spacingVerticalM,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
});

function savedBy(saved: EmailConfigDto): string {
  if (!saved.updatedBy) return "Not saved yet";
  return `Saved by ${saved.updatedBy}${saved.updatedAt ? ` on ${new Date(saved.updatedAt).toLocaleString()}` : ""}`;
}

/** Save and Discard, with what stands in the way: the last check's warning, a conflicting save, a failed save. */
export function SaveBar({ form, saved }: { form: EmailConfigForm; saved: EmailConfigDto }) {
  const styles = useStyles();
  const { dirty, saving, conflict, warning, saveError } = form;
  return (
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
            {conflict.updatedAt ? ` at ${new Date(conflict.updatedAt).toLocaleString()}` : ""} while you were editing.
            Your changes are still in the form.
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={() => void form.save(conflict.version)}>Save mine over theirs</Button>
            <Button onClick={form.loadTheirs}>Discard mine, load theirs</Button>
          </MessageBarActions>
        </MessageBar>
      )}
      {/* A refusal that names the form's fields is shown at those fields, not here. */}
      {saveError !== null && !conflict && !allFieldsShown(saveError, FORM_FIELD_PATHS) && (
        <FailureMessage error={saveError} />
      )}
      <div className={styles.row}>
        <Button type="submit" appearance="primary" disabled={saving || (!dirty && saved.version > 0)}>
          {saving ? "Saving…" : "Save"}
        </Button>
        <Button disabled={!dirty || saving} onClick={form.discardChanges}>
          Discard changes
        </Button>
        <Text size={200}>{dirty ? "Unsaved changes" : savedBy(saved)}</Text>
      </div>
    </div>
  );
}
