import { Label, Select, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useId, useSyncExternalStore } from "react";
import { HOST_THEME_KINDS, type HostThemeKind } from "../office/mailboxHost";
import type { PreviewMailboxHost } from "../office/previewMailboxHost";

const THEME_LABELS: Record<HostThemeKind, string> = { light: "Light", dark: "Dark", highContrast: "High contrast" };

const useStyles = makeStyles({
  bar: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "end",
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  field: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXXS, minWidth: 0, flexGrow: 1 },
  caption: { flexBasis: "100%", color: tokens.colorNeutralForeground2 },
});

/** Browser preview only: switch between the sample mailbox's items and the Office themes. */
export function PreviewSwitcher({ preview }: { preview: PreviewMailboxHost }) {
  const styles = useStyles();
  const itemId = useId();
  const themeId = useId();
  const selectedSampleId = useSyncExternalStore(
    (listener) => preview.subscribe(listener),
    () => preview.selectedSampleId,
  );
  const theme = useSyncExternalStore(
    (listener) => preview.subscribe(listener),
    () => preview.themeSetting,
  );

  return (
    <aside className={styles.bar} aria-label="Browser preview">
      <Text size={200} className={styles.caption}>
        Browser preview: sample mailbox, not connected to Outlook
      </Text>
      <div className={styles.field}>
        <Label htmlFor={itemId} size="small">
          Sample item
        </Label>
        <Select
          id={itemId}
          size="small"
          value={selectedSampleId}
          onChange={(_, data) => preview.selectSample(data.value)}
        >
          {preview.samples.map((sample) => (
            <option key={sample.id} value={sample.id}>
              {sample.label}
            </option>
          ))}
        </Select>
      </div>
      <div className={styles.field}>
        <Label htmlFor={themeId} size="small">
          Theme
        </Label>
        <Select
          id={themeId}
          size="small"
          value={theme}
          onChange={(_, data) => {
            const kind = HOST_THEME_KINDS.find((candidate) => candidate === data.value);
            if (kind) preview.setTheme(kind);
          }}
        >
          {HOST_THEME_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {THEME_LABELS[kind]}
            </option>
          ))}
        </Select>
      </div>
    </aside>
  );
}
