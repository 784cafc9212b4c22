/** How a check result reads in the pane: severity colours, the per-capability line, the settling note. */
import type { BadgeProps } from "@fluentui/react-components";
import type { Category, Severity } from "../../../contract/categories";
import type { CheckCapabilitiesDto, CheckSettlingDto } from "../../../contract/checks";
import { CATEGORY_LABELS } from "../../../contract/labels";

export const SEVERITY_COLOR: Record<Severity, NonNullable<BadgeProps["color"]>> = {
  ok: "success",
  warning: "warning",
  error: "danger",
  transient: "informative",
};

/** Worst first: what the admin must fix, then what may clear by itself, then warnings, then what works. */
const SEVERITY_RANK: Record<Severity, number> = { error: 0, transient: 1, warning: 2, ok: 3 };

export function bySeverity<T extends Pick<Category, "severity">>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
}

export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity];
}

const CAPABILITY_LABELS: Record<keyof CheckCapabilitiesDto, string> = {
  mail: "Mail",
  calendar: "Calendar",
  drafts: "Drafts",
};

/** "Mail: Connected · Calendar: Calendar denied": what each probe proved, for results that probe more than one. */
export function capabilitiesLine(capabilities: CheckCapabilitiesDto): string {
  return (Object.keys(CAPABILITY_LABELS) as Array<keyof CheckCapabilitiesDto>)
    .flatMap((name) => {
      const category = capabilities[name];
      return category === null ? [] : [`${CAPABILITY_LABELS[name]}: ${CATEGORY_LABELS[category]}`];
    })
    .join(" · ");
}

/** RBAC for Applications governs only the Graph app-only access type: its settling note belongs there alone. */
export function settlesWithRbac(accessType: string): boolean {
  return accessType === "graph_app_only";
}

/** The re-check time in the admin's own clock ("re-check after 16:45"). */
export function settlingText(settling: CheckSettlingDto): string {
  const time = new Date(settling.recheckAfter).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return `Changes to RBAC for Applications can take up to 2 hours; re-check after ${time}.`;
}
