/**
 * One-use tickets for the progress stream: EventSource cannot send an Authorization header, and an access token in
 * a URL would land in proxy and server logs. A ticket is bound to one run and caller, lives 60 seconds, works once.
 */
import { randomBytes } from "node:crypto";
import type { Identity } from "../auth/tokenVerifier.js";

interface Ticket {
  orgId: string;
  runId: string;
  identity: Identity;
  expiresAt: number;
}

export class EventTickets {
  private readonly tickets = new Map<string, Ticket>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  issue(grant: { orgId: string; runId: string; identity: Identity }): { ticket: string; expiresAt: Date } {
    this.sweep();
    const ticket = randomBytes(32).toString("base64url");
    const expiresAt = this.now() + this.ttlMs;
    this.tickets.set(ticket, { ...grant, expiresAt });
    return { ticket, expiresAt: new Date(expiresAt) };
  }

  /** The caller the ticket was issued to, once; null when unknown, used, expired or for another run. */
  redeem(ticket: string, target: { orgId: string; runId: string }): Identity | null {
    const found = this.tickets.get(ticket);
    if (found === undefined) return null;
    this.tickets.delete(ticket);
    if (found.expiresAt < this.now() || found.orgId !== target.orgId || found.runId !== target.runId) return null;
    return found.identity;
  }

  private sweep(): void {
    const now = this.now();
    for (const [ticket, grant] of this.tickets) if (grant.expiresAt < now) this.tickets.delete(ticket);
  }
}
