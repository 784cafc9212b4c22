/**
 * The settling note (DOMAIN.md: RBAC for Applications applies a change within 30 minutes to 2 hours): a run started
 * within 2 hours of the saved configuration's last change says when a re-check will see the settled answer. Only
 * where a change settles (app-only); on-premises EWS applies its rights at once.
 */
import type { AccessTypeId } from "../../contract/accessTypes.js";
import { SETTLING_WINDOW_MS, settlesAfterChange, type CheckSettlingDto } from "../../contract/checks.js";

export function settlingOf(
  changedAt: string | null,
  startedAt: Date,
  config: { accessType: AccessTypeId },
): CheckSettlingDto | null {
  if (changedAt === null || !settlesAfterChange(config.accessType)) return null;
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
