/**
 * Fan-out of a run's progress to server-sent-event subscribers, throttled per run: a burst of durable batches
 * becomes at most one event per interval (the latest state wins), and the final state is always delivered.
 */
import type { CheckRunDto, CheckRunEvent } from "../../contract/checks.js";

type Listener = (event: CheckRunEvent) => void;

interface RunChannel {
  listeners: Set<Listener>;
  lastSentAt: number;
  timer: NodeJS.Timeout | null;
  latest: (() => CheckRunDto) | null;
}

export class CheckRunEvents {
  private readonly channels = new Map<string, RunChannel>();

  constructor(private readonly minIntervalMs = 250) {}

  subscribe(runId: string, listener: Listener): () => void {
    const channel = this.channel(runId);
    channel.listeners.add(listener);
    return () => {
      channel.listeners.delete(listener);
      if (channel.listeners.size === 0 && channel.timer === null) this.channels.delete(runId);
    };
  }

  /** Announces new progress; `snapshot` is read when the event is actually sent. */
  progress(runId: string, snapshot: () => CheckRunDto): void {
    const channel = this.channels.get(runId);
    if (channel === undefined || channel.listeners.size === 0) return;
    channel.latest = snapshot;
    if (channel.timer !== null) return;
    const wait = channel.lastSentAt + this.minIntervalMs - Date.now();
    if (wait <= 0) this.flush(runId, channel);
    else channel.timer = setTimeout(() => this.flush(runId, channel), wait);
  }

  /** Sends the final state at once (dropping any pending progress) and forgets the run's listeners. */
  end(runId: string, run: CheckRunDto): void {
    const channel = this.channels.get(runId);
    if (channel === undefined) return;
    if (channel.timer !== null) clearTimeout(channel.timer);
    this.channels.delete(runId);
    for (const listener of channel.listeners) listener({ type: "end", run });
  }

  listenerCount(runId: string): number {
    return this.channels.get(runId)?.listeners.size ?? 0;
  }

  private flush(runId: string, channel: RunChannel): void {
    channel.timer = null;
    const snapshot = channel.latest;
    channel.latest = null;
    if (snapshot === null) return;
    channel.lastSentAt = Date.now();
    const event: CheckRunEvent = { type: "progress", run: snapshot() };
    for (const listener of channel.listeners) listener(event);
    if (channel.listeners.size === 0) this.channels.delete(runId);
  }

  private channel(runId: string): RunChannel {
    let channel = this.channels.get(runId);
    if (channel === undefined) {
      channel = { listeners: new Set(), lastSentAt: 0, timer: null, latest: null };
      this.channels.set(runId, channel);
    }
    return channel;
  }
}
