import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { describeFailure } from "../api/errors";
import { needsSignIn } from "../auth/SessionProvider";

/** A failed call in the admin's words: what happened, what to do, and a retry when one makes sense. */
export function FailureMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const failure = describeFailure(error);
  return (
    <MessageBar intent="error" role="alert" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{failure.title}</MessageBarTitle> {failure.action}
      </MessageBarBody>
      {onRetry && !needsSignIn(error) && (
        <MessageBarActions>
          <Button onClick={onRetry}>Try again</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
