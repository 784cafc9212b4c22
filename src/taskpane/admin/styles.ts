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
