/** How a check result reads in the pane: severity colours, the per-capability line, the settling note. */
import type { BadgeProps } from "@fluentui/react-components";
import type { Severity } from "../../../contract/categories";
import type { CheckCapabilitiesDto, CheckSettlingDto } from "../../../contract/checks";

export const SEVERITY_COLOR: Record<Severity, NonNullable<BadgeProps["color"]>> = {
  ok: "success",
  warning: "warning",
  error: "danger",
  transient: "informative",
};

const CAPABILITY_LABELS: Record<keyof CheckCapabilitiesDto, string> = {
  mail: "Mail",
  calendar: "Calendar",
  drafts: "Drafts",
};

/** "Mail: ok · Calendar: calendar_denied": what each probe proved, for results that probe more than one. */
export function capabilitiesLine(capabilities: CheckCapabilitiesDto): string {
  return (Object.keys(CAPABILITY_LABELS) as Array<keyof CheckCapabilitiesDto>)
    .flatMap((name) => (capabilities[name] === null ? [] : [`${CAPABILITY_LABELS[name]}: ${capabilities[name]}`]))
    .join(" · ");
}

/** The re-check time in the admin's own clock ("re-check after 16:45"). */
export function settlingText(settling: CheckSettlingDto): string {
  const time = new Date(settling.recheckAfter).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return `Changes to RBAC for Applications can take up to 2 hours; re-check after ${time}.`;
}
