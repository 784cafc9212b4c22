/** Tiny views over the data hooks, so tests read what a view would show: the session's state and the hook's. */
import { useSession } from "../../../../src/taskpane/auth/SessionProvider";
import { useAction } from "../../../../src/taskpane/hooks/useAction";
import { useResource } from "../../../../src/taskpane/hooks/useResource";

export function SessionState() {
  const session = useSession();
  return (
    <>
      <p data-testid="session">{session.status}</p>
      <button onClick={() => void session.signIn()}>Sign in</button>
    </>
  );
}

/** `load` must keep its identity between renders, as a view's useCallback would. */
export function ResourceProbe({ load }: { load: () => Promise<string> }) {
  const { resource, reload } = useResource(load);
  return (
    <>
      <SessionState />
      <p data-testid="resource">
        {resource.status}: {resource.value ?? "nothing"}
      </p>
      <button onClick={reload}>Reload</button>
    </>
  );
}

export function ActionProbe({
  perform,
  expiresSession,
}: {
  perform: (label: string) => Promise<string>;
  expiresSession?: (error: unknown) => boolean;
}) {
  const action = useAction(perform, expiresSession ? { expiresSession } : {});
  return (
    <>
      <SessionState />
      <p data-testid="action">
        {action.pending ? "pending" : "idle"}; error: {action.error instanceof Error ? action.error.message : "none"}
      </p>
      <button onClick={() => void action.run("first")}>Run</button>
      <button onClick={action.reset}>Reset</button>
    </>
  );
}
