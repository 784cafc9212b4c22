/** The bordered list of mailboxes the Canaries section shows twice: its canaries and the directory's suggestions. */
import { tokens, type GriffelStyle } from "@fluentui/react-components";

export const MAILBOX_LIST_STYLES: Record<"list" | "item" | "who" | "address" | "meta", GriffelStyle> = {
  list: {
    display: "flex",
    flexDirection: "column",
    margin: 0,
    padding: 0,
    listStyle: "none",
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  item: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    ":not(:last-child)": { borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}` },
  },
  who: { display: "flex", flexDirection: "column", minWidth: 0, flexGrow: 1, flexBasis: "12rem" },
  address: { fontWeight: tokens.fontWeightSemibold, overflowWrap: "anywhere" },
  meta: { color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
};
