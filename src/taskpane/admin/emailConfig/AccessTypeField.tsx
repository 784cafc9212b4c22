import {
  Button,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Select,
  makeStyles,
} from "@fluentui/react-components";
import { ACCESS_TYPES, ACCESS_TYPE_IDS, EXCHANGE_ONLINE_DATES, type AccessTypeId } from "../../../contract/accessTypes";
import { isExchangeOnlineUrl } from "../../../contract/exchangeOnline";
import { fieldState } from "../fieldState";
import type { EmailConfigDraft, FieldErrors } from "./draft";

const useStyles = makeStyles({
  // A native select is as wide as its longest option unless told otherwise: in a 320 px sidebar it must shrink.
  shrinkable: { minWidth: 0, maxWidth: "100%" },
});

/** The Mailbox Access Type picklist, and the notice when the choice cannot work against Exchange Online. */
export function AccessTypeField({
  draft,
  errors,
  onChoose,
}: {
  draft: EmailConfigDraft;
  errors: FieldErrors;
  onChoose: (accessType: AccessTypeId | "") => void;
}) {
  const styles = useStyles();
  const accessType = draft.accessType === "" ? null : ACCESS_TYPES[draft.accessType];
  const retired = accessType !== null && !accessType.worksWithExchangeOnline && isExchangeOnlineUrl(draft.ewsUrl);
  return (
    <>
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
          onChange={(_, d) => onChoose(d.value as AccessTypeId | "")}
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
            <Button onClick={() => onChoose("graph_app_only")}>Switch to App-only</Button>
          </MessageBarActions>
        </MessageBar>
      )}
    </>
  );
}
