/**
 * The settling note (DOMAIN.md: RBAC for Applications applies a change within 30 minutes to 2 hours): a run started
 * within 2 hours of the saved configuration's last change says when a re-check will see the settled answer.
 */
import { SETTLING_WINDOW_MS, type CheckSettlingDto } from "../../contract/checks.js";

export function settlingOf(changedAt: string | null, startedAt: Date): CheckSettlingDto | null {
  if (changedAt === null) return null;
  const changed = Date.parse(changedAt);
  if (Number.isNaN(changed)) return null;
  const recheckAfter = new Date(changed + SETTLING_WINDOW_MS);
  if (startedAt.getTime() < changed || startedAt.getTime() >= recheckAfter.getTime()) return null;
  const time = recheckAfter.toISOString().slice(11, 16);
  return {
    changedAt: new Date(changed).toISOString(),
    recheckAfter: recheckAfter.toISOString(),
    note: `Changes to RBAC for Applications can take up to 2 hours; re-check after ${time} UTC.`,
  };
}
