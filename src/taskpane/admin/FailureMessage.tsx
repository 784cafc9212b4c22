import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import { describeFailure } from "../backend/errors";
import { needsSignIn } from "../auth/SessionProvider";

/** A failed call in the admin's words: what happened, what to do, and a retry when one makes sense. */
export function FailureMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  // An expired session is announced once, by the admin view's own banner with its Sign in button.
  if (needsSignIn(error)) return null;
  const failure = describeFailure(error);
  return (
    <MessageBar intent="error" role="alert" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{failure.title}</MessageBarTitle> {failure.action}
      </MessageBarBody>
      {onRetry && (
        <MessageBarActions>
          <Button onClick={onRetry}>Try again</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
