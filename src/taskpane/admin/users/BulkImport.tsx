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
import { ApiError } from "../../backend/errors";
import { useSession } from "../../auth/SessionProvider";
import { useAction } from "../../hooks/useAction";
import { FailureMessage } from "../FailureMessage";

/** Verdict rows shown before committing; the counts always cover every row. */
const SHOWN_ROWS = 200;

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  textarea: { fontFamily: tokens.fontFamilyMonospace },
  cell: { overflowWrap: "anywhere" },
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

/** Bulk import by paste or CSV file: a dry run shows each row's verdict, then the admin commits the valid rows. */
export function BulkImport({ orgId, onImported }: { orgId: string; onImported: () => void }) {
  const styles = useStyles();
  const fileId = useId();
  const { api } = useSession();
  const [csv, setCsv] = useState("");
  const [preview, setPreview] = useState<UserImportResultDto | null>(null);
  const [committed, setCommitted] = useState<UserImportResultDto | null>(null);
  const [mode, setMode] = useState<"checking" | "importing">("checking");
  const importing = useAction(async (dryRun: boolean) => {
    const result = await api.importUsers(orgId, { import: { format: "csv", csv }, dryRun });
    if (dryRun) setPreview(result);
    else {
      setCommitted(result);
      setPreview(null);
      setCsv("");
      onImported();
    }
  });
  const { error } = importing;
  const busy = importing.pending ? mode : null;

  const fieldError =
    error instanceof ApiError ? (error.fieldErrors["import.csv"] ?? error.fieldErrors.import) : undefined;

  const changeText = (value: string) => {
    setCsv(value);
    setPreview(null); // verdicts belong to the text they were computed for
    setCommitted(null);
  };

  const chooseFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) changeText(await readText(file));
  };

  const run = (dryRun: boolean) => {
    setMode(dryRun ? "checking" : "importing");
    return importing.run(dryRun);
  };

  const shown = preview
    ? [...preview.rows]
        .sort((a, b) => (a.verdict === b.verdict ? a.row - b.row : a.verdict === "rejected" ? -1 : 1))
        .slice(0, SHOWN_ROWS)
    : [];

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
            {preview.total} rows: {preview.accepted} ready to import, {preview.rejected} rejected. Nothing is saved yet.
          </Text>
        )}
        {committed && (
          <MessageBar intent={committed.rejected > 0 ? "warning" : "success"} layout="multiline">
            <MessageBarBody>
              Imported {committed.accepted} {committed.accepted === 1 ? "user" : "users"}
              {committed.rejected > 0 ? `; ${committed.rejected} rows were rejected.` : "."}
            </MessageBarBody>
          </MessageBar>
        )}
      </div>
      {preview && (
        <Table size="small" aria-label="Verdict per row">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Row</TableHeaderCell>
              <TableHeaderCell>Email</TableHeaderCell>
              <TableHeaderCell>Verdict</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {shown.map((row) => (
              <TableRow key={row.row}>
                <TableCell>{row.row}</TableCell>
                <TableCell className={styles.cell}>{row.email}</TableCell>
                <TableCell className={styles.cell}>
                  {row.verdict === "ok" ? (
                    <Badge color="success" appearance="tint">
                      OK
                    </Badge>
                  ) : (
                    <>
                      <Badge color="danger" appearance="tint">
                        Rejected
                      </Badge>{" "}
                      {row.reason}
                    </>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {preview && preview.rows.length > SHOWN_ROWS && (
        <Text size={200}>
          Showing the first {SHOWN_ROWS} of {preview.rows.length} rows, rejected rows first.
        </Text>
      )}
    </section>
  );
}
