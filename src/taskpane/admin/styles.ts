import { makeStyles } from "@fluentui/react-components";

/** Text for screen readers only (announcements, column headers without a visible label). */
export const useHiddenStyles = makeStyles({
  visuallyHidden: {
    position: "absolute",
    width: "1px",
    height: "1px",
    margin: "-1px",
    overflow: "hidden",
    clipPath: "inset(50%)",
    whiteSpace: "nowrap",
  },
});

/**
 * A badge whose label may wrap: Fluent's badge has a fixed height, so a long category label at 320 px spilled over
 * the lines around it; this one grows with its lines instead.
 */
export const useBadgeStyles = makeStyles({
  wrapping: {
    height: "auto",
    minHeight: "20px",
    maxWidth: "100%",
    paddingBlock: "1px",
    whiteSpace: "normal",
    textAlign: "start",
    overflowWrap: "anywhere",
  },
});
