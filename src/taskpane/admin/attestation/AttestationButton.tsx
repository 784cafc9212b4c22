import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Spinner,
  makeStaticStyles,
  makeStyles,
} from "@fluentui/react-components";
import { useState } from "react";
import type { AttestationDto } from "../../../contract/attestation";
import { useSession } from "../../auth/SessionProvider";
import { useBrowser } from "../../browser/browserActions";
import { useAction } from "../../hooks/useAction";
import { FailureMessage } from "../FailureMessage";
import { AttestationDocumentView } from "./AttestationDocumentView";
import { signedJsonFile } from "./signedFile";

const useStyles = makeStyles({
  surface: { maxWidth: "min(860px, calc(100vw - 16px))", width: "100%", boxSizing: "border-box" },
  printable: { "@media print": { maxHeight: "none", overflow: "visible" } },
  actions: { "@media print": { display: "none" } },
});

// On paper only the attestation: while it is open, the pane behind the dialog stays off the page. A CSS string:
// Griffel's static-style objects cannot nest rules inside @media (they compiled to the rule "undefined").
const usePrintStyles = makeStaticStyles(`@media print {
  body:has([data-print-root="attestation"]) #root { display: none; }
  [data-print-root="attestation"] { position: static; max-height: none; overflow: visible; box-shadow: none; }
}`);

/** "Signed attestation" for a finished run: opens the printable statement with its download. */
export function AttestationButton({ orgId, runId }: { orgId: string; runId: string }) {
  const styles = useStyles();
  usePrintStyles();
  const { api } = useSession();
  const browser = useBrowser();
  const [open, setOpen] = useState(false);
  const [attestation, setAttestation] = useState<AttestationDto | null>(null);
  const load = useAction(async () => setAttestation(await api.checkAttestation(orgId, runId)));

  return (
    <Dialog
      open={open}
      onOpenChange={(_, data) => {
        setOpen(data.open);
        if (data.open && attestation?.document.run.id !== runId) {
          setAttestation(null);
          void load.run();
        }
      }}
    >
      <DialogTrigger disableButtonEnhancement>
        <Button>Signed attestation</Button>
      </DialogTrigger>
      <DialogSurface className={styles.surface} data-print-root="attestation">
        <DialogBody>
          <DialogTitle>Access attestation</DialogTitle>
          {/* A long statement scrolls: focusable, so a keyboard can scroll it too. */}
          <DialogContent className={styles.printable} tabIndex={0} role="region" aria-label="Attestation statement">
            {load.pending && <Spinner size="small" label="Signing the attestation…" />}
            {load.error !== null && <FailureMessage error={load.error} />}
            {attestation && <AttestationDocumentView document={attestation.document} keyId={attestation.keyId} />}
          </DialogContent>
          <DialogActions fluid className={styles.actions}>
            <Button
              appearance="primary"
              disabled={attestation === null}
              onClick={() => attestation && browser.saveFile(signedJsonFile(attestation.jws, runId))}
            >
              Download signed JSON
            </Button>
            <Button disabled={attestation === null} onClick={() => browser.print()}>
              Print
            </Button>
            <DialogTrigger disableButtonEnhancement>
              <Button appearance="secondary">Close</Button>
            </DialogTrigger>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
