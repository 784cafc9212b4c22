import { makeStyles, tokens } from "@fluentui/react-components";

export const useSettingsStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase300 },
  pair: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fit, minmax(12rem, 1fr))",
    gap: tokens.spacingHorizontalM,
    alignItems: "start",
    minWidth: 0,
  },
  rule: { display: "flex", flexWrap: "wrap", alignItems: "flex-end", gap: tokens.spacingHorizontalM, minWidth: 0 },
  threshold: { maxWidth: "10rem" },
  actions: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: tokens.spacingHorizontalS },
  hint: { display: "block", color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
  cell: { overflowWrap: "anywhere" },
});
