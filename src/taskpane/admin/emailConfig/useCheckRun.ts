/**
 * Follows one check run: server-sent events when the browser has EventSource (a one-use ticket, since EventSource
 * cannot send the bearer header), polling otherwise or when the stream drops. Starting and cancelling live here too.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { EmailConfigInput } from "../../../contract/api";
import { ACTIVE_CHECK_RUN_STATES, type CheckRunDto, type CheckScope } from "../../../contract/checks";
import type { ApiClient } from "../../backend/client";
import { ApiError } from "../../backend/errors";
import { needsSignIn, useSession } from "../../auth/SessionProvider";
import { useAction } from "../../hooks/useAction";
import { useExpireOnSignIn } from "../../hooks/useExpireOnSignIn";

const POLL_MS = 1000;

export function isActive(run: CheckRunDto | null): boolean {
  return run !== null && ACTIVE_CHECK_RUN_STATES.includes(run.state);
}

export interface CheckRunControl {
  run: CheckRunDto | null;
  /** Set while the pane cannot reach the run (the check itself continues on the server). */
  watchError: unknown;
  startError: unknown;
  starting: boolean;
  /**
   * Starts a run (of the unsaved draft when given; of every user unless a scope names some; of one connection
   * profile's users when named); resolves to the run, or to why it could not start.
   */
  start: (
    draft: EmailConfigInput | undefined,
    scope?: CheckScope,
    profileId?: string,
  ) => Promise<{ run: CheckRunDto } | { refused: unknown }>;
  cancel: () => Promise<void>;
  reconnect: () => void;
}

function watch(
  api: ApiClient,
  orgId: string,
  runId: string,
  onRun: (run: CheckRunDto) => void,
  onError: (error: unknown) => void,
): () => void {
  let stopped = false;
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;

  const poll = async () => {
    if (stopped) return;
    try {
      const run = await api.checkRun(orgId, runId);
      failures = 0;
      onError(null);
      onRun(run);
      if (isActive(run) && !stopped) timer = setTimeout(() => void poll(), POLL_MS);
    } catch (error) {
      failures += 1;
      onError(error);
      if (!needsSignIn(error) && !stopped)
        timer = setTimeout(() => void poll(), Math.min(POLL_MS * 2 ** failures, 15_000));
    }
  };

  const stream = async () => {
    try {
      const ticket = await api.checkEventsTicket(orgId, runId);
      if (stopped) return;
      source = new EventSource(api.url(ticket.url));
      const handle = (event: MessageEvent<string>) => {
        const run = JSON.parse(event.data) as CheckRunDto;
        onError(null);
        onRun(run);
        if (!isActive(run)) {
          source?.close();
          source = null;
        }
      };
      source.addEventListener("progress", handle as EventListener);
      source.addEventListener("end", handle as EventListener);
      source.onerror = () => {
        // The stream dropped (proxy, network): fall back to polling, which also picks up the final state.
        source?.close();
        source = null;
        void poll();
      };
    } catch {
      void poll();
    }
  };

  if (typeof EventSource === "function") void stream();
  else void poll();
  return () => {
    stopped = true;
    source?.close();
    if (timer) clearTimeout(timer);
  };
}

/**
 * Calls `onEnd` once when the run in view goes from active to ended (what it changed, e.g. each profile's last check,
 * is then worth reading again); a run already over when first seen is not an end.
 */
export function useRunEnded(run: CheckRunDto | null, onEnd: (() => void) | undefined): void {
  const followed = useRef<string | null>(null);
  const id = run?.id ?? null;
  const active = isActive(run);
  useEffect(() => {
    if (id !== null && active) followed.current = id;
    else if (id !== null && followed.current === id) {
      followed.current = null;
      onEnd?.();
    }
  }, [id, active, onEnd]);
}

export function useCheckRun(orgId: string, initial: CheckRunDto | null): CheckRunControl {
  const { api } = useSession();
  const expireOnSignIn = useExpireOnSignIn();
  const [run, setRun] = useState<CheckRunDto | null>(initial);
  const [watchError, setWatchError] = useState<unknown>(null);
  const [watching, setWatching] = useState(0);
  const runId = run?.id ?? null;
  const active = isActive(run);
  const latest = useRef(run);
  latest.current = run;

  useEffect(() => {
    setRun(initial);
  }, [initial]);

  useEffect(() => {
    if (!runId || !active) return;
    return watch(
      api,
      orgId,
      runId,
      (next) => setRun((current) => (current && current.id === next.id && current.done > next.done ? current : next)),
      (error) => {
        expireOnSignIn(error);
        setWatchError(error);
      },
    );
    // Re-subscribing on every progress update would restart the stream: depend on the run's identity and activity.
  }, [api, orgId, runId, active, expireOnSignIn, watching]);

  const starting = useAction(
    async (draft: EmailConfigInput | undefined, scope: CheckScope = { all: true }, profileId?: string) => {
      try {
        const { runId: id } = await api.startCheck(orgId, {
          scope,
          depth: "read",
          ...(draft ? { draft } : {}),
          ...(profileId === undefined ? {} : { profileId }),
        });
        const started = await api.checkRun(orgId, id);
        setRun(started);
        return started;
      } catch (error) {
        // A refused start (a field error in the draft) leaves no older result under the refusal.
        if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 409)
          setRun(null);
        if (error instanceof ApiError && error.status === 409) {
          // Another run is active: follow it instead of failing.
          const recent = await api.recentChecks(orgId, 5).catch(() => null);
          const running = recent?.items.find((item) => isActive(item));
          if (running) setRun(running);
        }
        throw error;
      }
    },
  );
  const startRun = starting.run;
  const start = useCallback(
    async (draft: EmailConfigInput | undefined, scope?: CheckScope, profileId?: string) => {
      const started = await startRun(draft, scope, profileId);
      return started.ok ? { run: started.value } : { refused: started.error };
    },
    [startRun],
  );

  const cancel = useCallback(async () => {
    const current = latest.current;
    if (!current) return;
    try {
      setRun(await api.cancelCheck(orgId, current.id));
    } catch (error) {
      expireOnSignIn(error);
      setWatchError(error);
    }
  }, [api, orgId, expireOnSignIn]);

  const reconnect = useCallback(() => setWatching((n) => n + 1), []);
  return {
    run,
    watchError,
    startError: starting.error,
    starting: starting.pending,
    start,
    cancel,
    reconnect,
  };
}
