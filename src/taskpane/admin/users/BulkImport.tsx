import {
  Badge,
  Button,
  Field,
  MessageBar,
  MessageBarBody,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useId, useState, type ChangeEvent } from "react";
import type { UserImportResultDto } from "../../../contract/api";
import { fieldMessages } from "../../backend/errors";
import { useSession } from "../../auth/SessionProvider";
import { useBrowser } from "../../browser/browserActions";
import { useAction } from "../../hooks/useAction";
import { FailureMessage } from "../FailureMessage";
import { importSummary, rejectedRowsCsv, rejectedRowsText } from "./importVerdicts";
import { BreakableAddress } from "../../components/BreakableAddress";

/** Verdict rows shown before committing; the counts always cover every row. */
const SHOWN_ROWS = 200;

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  textarea: { fontFamily: tokens.fontFamilyMonospace },
  cell: { overflowWrap: "anywhere" },
  // The line number needs little room: the address and the reason get the rest.
  lineColumn: { width: "3rem" },
  verdict: { flexShrink: 0, whiteSpace: "nowrap" },
  reason: { display: "block", marginTop: tokens.spacingVerticalXXS },
});

/** The file's text through FileReader, which every browser the pane runs in has. */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === "string" ? reader.result : "");
    reader.onerror = () => reject(reader.error ?? new Error("the file could not be read"));
    reader.readAsText(file);
  });
}

/**
 * Bulk import by paste or CSV file: a dry run shows each line's verdict, then the admin commits the valid rows; the
 * rejected ones stay in the box to fix, and download as CSV with their reasons.
 */
export function BulkImport({ orgId, onImported }: { orgId: string; onImported: () => void }) {
  const styles = useStyles();
  const fileId = useId();
  const { api } = useSession();
  const browser = useBrowser();
  const [csv, setCsv] = useState("");
  const [preview, setPreview] = useState<UserImportResultDto | null>(null);
  const [committed, setCommitted] = useState<UserImportResultDto | null>(null);
  const [mode, setMode] = useState<"checking" | "importing">("checking");
  const importing = useAction(async (dryRun: boolean) => {
    const result = await api.importUsers(orgId, { import: { format: "csv", csv }, dryRun });
    if (dryRun) {
      setPreview(result);
      setCommitted(null);
    } else {
      // The imported rows leave the box; the rejected ones stay in it, as typed, to be fixed and imported again.
      setCommitted(result);
      setPreview(null);
      setCsv(rejectedRowsText(csv, result));
      onImported();
    }
  });
  const { error } = importing;
  const busy = importing.pending ? mode : null;

  const fields = fieldMessages(error);
  const fieldError = fields["import.csv"] ?? fields.import ?? fields["import.rows"];

  const changeText = (value: string) => {
    setCsv(value);
    setPreview(null); // verdicts belong to the text they were computed for
  };

  const chooseFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) changeText(await readText(file));
  };

  const run = (dryRun: boolean) => {
    setMode(dryRun ? "checking" : "importing");
    return importing.run(dryRun);
  };

  // The verdicts in view: the dry run's, or after an import the rows it rejected (until the next check).
  const verdicts = preview ?? committed;
  const shown = verdicts
    ? [...verdicts.rows]
        .sort((a, b) => (a.verdict === b.verdict ? a.row - b.row : a.verdict === "rejected" ? -1 : 1))
        .slice(0, SHOWN_ROWS)
    : [];
  const downloadRejected = () => {
    if (!verdicts) return;
    const blob = new Blob([rejectedRowsCsv(verdicts)], { type: "text/csv;charset=utf-8" });
    browser.saveFile({ blob, filename: "rejected-users.csv" });
  };

  return (
    <section className={styles.section} aria-labelledby="import-heading">
      <h3 id="import-heading" className={styles.heading}>
        Import users
      </h3>
      <Text>
        Paste CSV with a header row <code>email,displayName,role</code> (role is <code>user</code> or <code>admin</code>
        ), or choose a CSV file. You will see each row&apos;s verdict before anything is saved.
      </Text>
      <div className={styles.row}>
        <label htmlFor={fileId}>CSV file</label>
        <input id={fileId} type="file" accept=".csv,text/csv,text/plain" onChange={(event) => void chooseFile(event)} />
      </div>
      <Field
        label="Users as CSV"
        {...(fieldError ? { validationState: "error" as const, validationMessage: fieldError } : {})}
      >
        <Textarea
          className={styles.textarea}
          resize="vertical"
          rows={6}
          value={csv}
          onChange={(_, data) => changeText(data.value)}
          placeholder={"email,displayName,role\nalex.wilber@contoso.com,Alex Wilber,user"}
        />
      </Field>
      <div className={styles.row}>
        <Button disabled={csv.trim() === "" || busy !== null} onClick={() => void run(true)}>
          {busy === "checking" ? "Checking rows…" : "Check rows"}
        </Button>
        {preview && (
          <Button
            appearance="primary"
            disabled={preview.accepted === 0 || busy !== null}
            onClick={() => void run(false)}
          >
            {busy === "importing"
              ? "Importing…"
              : `Import ${preview.accepted} valid ${preview.accepted === 1 ? "user" : "users"}`}
          </Button>
        )}
      </div>
      {error !== null && !fieldError && <FailureMessage error={error} />}
      <div aria-live="polite">
        {preview && (
          <Text weight="semibold" data-testid="import-summary">
            {importSummary(preview)} Nothing is saved yet.
          </Text>
        )}
        {committed && !preview && (
          <MessageBar intent={committed.rejected > 0 ? "warning" : "success"} layout="multiline">
            <MessageBarBody>
              Imported {committed.accepted} {committed.accepted === 1 ? "user" : "users"}
              {committed.rejected > 0
                ? `; ${committed.rejected} ${committed.rejected === 1 ? "row was" : "rows were"} rejected. They are in the box above with the header: fix them and check again, or download them with their reasons.`
                : "."}
            </MessageBarBody>
          </MessageBar>
        )}
      </div>
      {verdicts && verdicts.rejected > 0 && (
        <div className={styles.row}>
          <Button onClick={downloadRejected}>Download rejected rows (CSV)</Button>
        </div>
      )}
      {verdicts && shown.length > 0 && (
        <Table size="small" aria-label={preview ? "Verdict per line" : "Rejected lines of the import"}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={styles.lineColumn}>Line</TableHeaderCell>
              <TableHeaderCell>Email</TableHeaderCell>
              <TableHeaderCell>Verdict</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {shown.map((row) => (
              <TableRow key={row.row}>
                <TableCell>{row.row}</TableCell>
                <TableCell className={styles.cell}>
                  <BreakableAddress address={row.email} />
                </TableCell>
                <TableCell className={styles.cell}>
                  {row.verdict === "ok" ? (
                    <Badge color="success" appearance="tint">
                      OK
                    </Badge>
                  ) : (
                    <>
                      <Badge color="danger" appearance="tint" className={styles.verdict}>
                        Rejected
                      </Badge>{" "}
                      <span className={styles.reason}>{row.reason}</span>
                    </>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {verdicts && verdicts.rows.length > SHOWN_ROWS && (
        <Text size={200}>
          Showing the first {SHOWN_ROWS} of {verdicts.rows.length} rows, rejected rows first; the download has them all.
        </Text>
      )}
    </section>
  );
}
