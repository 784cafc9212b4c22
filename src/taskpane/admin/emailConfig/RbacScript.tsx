import { Button, Field, Input, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useId, useState } from "react";
import { isGuid } from "../../../contract/identifiers";
import { useSession } from "../../auth/SessionProvider";
import { useBrowser } from "../../browser/browserActions";
import { useAction } from "../../hooks/useAction";
import { FailureMessage } from "../FailureMessage";

const useStyles = makeStyles({
  heading: { margin: 0, fontSize: tokens.fontSizeBase300 },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "end" },
  grow: { flexGrow: 1, minWidth: "min(100%, 14rem)" },
  mono: { fontFamily: tokens.fontFamilyMonospace },
  script: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: "pre-wrap",
    overflowWrap: "anywhere",
    maxHeight: "20rem",
    overflowY: "auto",
    padding: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    margin: 0,
  },
});

/** The RBAC for Applications PowerShell that scopes the app to this organization's users, generated and copied. */
export function RbacScript({ orgId, clientId }: { orgId: string; clientId: string }) {
  const styles = useStyles();
  const { api } = useSession();
  const browser = useBrowser();
  const [objectId, setObjectId] = useState("");
  const [script, setScript] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const generate = useAction(async () => {
    const result = await api.rbacScript(orgId, { appId: clientId.trim(), servicePrincipalObjectId: objectId.trim() });
    setScript(result.script);
  });

  const missingId = useId();
  // Why the button waits, in the admin's words (the lab's front page lists its app's object ID).
  const missing = !isGuid(clientId.trim())
    ? "To generate the script, enter the app's Client ID above (a GUID)."
    : objectId.trim() === ""
      ? "To generate the script, enter the service principal object ID (Entra ID → Enterprise applications → the app → Object ID; the Exchange lab's front page lists it)."
      : !isGuid(objectId.trim())
        ? "The service principal object ID must be a GUID like 1b2c3d4e-…: copy the Object ID of the enterprise application."
        : null;

  const copy = async () => {
    if (!script) return;
    try {
      await browser.copyText(script);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("Copying was refused by the browser: select the script and copy it by hand.");
    }
  };

  return (
    <>
      <h4 className={styles.heading}>RBAC for Applications (Exchange Online PowerShell)</h4>
      <Text size={200}>
        Limits the app to exactly this organization&apos;s users and verifies it with
        Test-ServicePrincipalAuthorization. Enter the enterprise application&apos;s object ID (Entra ID → Enterprise
        applications).
      </Text>
      <div className={styles.row}>
        <Field className={styles.grow} label="Service principal object ID">
          <Input className={styles.mono} value={objectId} onChange={(_, d) => setObjectId(d.value)} />
        </Field>
        <Button
          onClick={() => void generate.run()}
          disabled={missing !== null}
          aria-describedby={missing === null ? undefined : missingId}
        >
          Generate PowerShell
        </Button>
      </div>
      {missing !== null && (
        <Text size={200} id={missingId} data-testid="rbac-missing">
          {missing}
        </Text>
      )}
      {generate.error !== null && <FailureMessage error={generate.error} />}
      {script && (
        <>
          <pre className={styles.script} tabIndex={0} aria-label="Generated PowerShell" data-testid="rbac-script">
            {script}
          </pre>
          <div className={styles.row}>
            <Button onClick={() => void copy()}>Copy script</Button>
            <Text aria-live="polite" size={200}>
              {copied}
            </Text>
          </div>
        </>
      )}
    </>
  );
}
