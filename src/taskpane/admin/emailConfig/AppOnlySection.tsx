import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useState } from "react";
import type { ClientConfigDto, EmailConfigDto } from "../../../contract/api";
import { isGuid } from "../../../contract/identifiers";
import { needsSignIn, useSession } from "../../auth/SessionProvider";
import { FailureMessage } from "../FailureMessage";
import { fieldState } from "../fieldState";
import type { EmailConfigDraft, FieldErrors } from "./draft";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalM, minWidth: 0 },
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

/** Microsoft's admin-consent URL for an app in a tenant. */
export function adminConsentUrl(tenantId: string, clientId: string, redirectUri: string): string {
  const params = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri });
  return `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/adminconsent?${params.toString()}`;
}

/** Microsoft 365 OAuth (Graph) – App-only: the app registration, admin consent, and the RBAC for Applications script. */
export function AppOnlySection({
  orgId,
  draft,
  saved,
  errors,
  onChange,
}: {
  orgId: string;
  draft: EmailConfigDraft;
  saved: EmailConfigDto;
  errors: FieldErrors;
  onChange: (change: Partial<EmailConfigDraft>) => void;
}) {
  const styles = useStyles();
  const { api, expire } = useSession();
  const [clientConfig, setClientConfig] = useState<ClientConfigDto | null>(null);
  const [consentNote, setConsentNote] = useState<string | null>(null);
  const [objectId, setObjectId] = useState("");
  const [script, setScript] = useState<string | null>(null);
  const [scriptError, setScriptError] = useState<unknown>(null);
  const [copied, setCopied] = useState<string | null>(null);

  useEffect(() => {
    api.clientConfig().then(setClientConfig, () => setClientConfig(null));
  }, [api]);

  const consent = () => {
    const tenant = draft.tenantId.trim();
    const client = draft.clientId.trim();
    if (clientConfig?.protocolMode === "oidc") {
      // The lab's identity provider is not Microsoft Entra: it has no consent page, its apps are pre-consented.
      setConsentNote(
        "This server signs in with the Exchange lab, whose app registrations are already consented. With Microsoft 365 this button opens login.microsoftonline.com/{tenant}/adminconsent for a Global Administrator to grant the app's Mail.Read application permission.",
      );
      return;
    }
    const opened = window.open(
      adminConsentUrl(tenant, client, `${location.origin}/auth.html`),
      "admin-consent",
      "popup,width=520,height=640",
    );
    setConsentNote(
      opened
        ? "Finish admin consent in the window that opened, then run the check."
        : "The consent window was blocked: allow pop-ups for this site and try again.",
    );
  };

  const generate = async () => {
    setScriptError(null);
    try {
      const result = await api.rbacScript(orgId, {
        appId: draft.clientId.trim(),
        servicePrincipalObjectId: objectId.trim(),
      });
      setScript(result.script);
    } catch (error) {
      if (needsSignIn(error)) expire();
      setScriptError(error);
    }
  };

  const copy = async () => {
    if (!script) return;
    try {
      await navigator.clipboard.writeText(script);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("Copying was refused by the browser: select the script and copy it by hand.");
    }
  };

  const secretStored = saved.appOnly.credentialType === "secret" && saved.appOnly.hasClientSecret;
  const certificateStored = saved.appOnly.credentialType === "certificate";
  const idsValid = isGuid(draft.clientId.trim()) && draft.tenantId.trim() !== "";
  return (
    <div className={styles.section}>
      <h4 className={styles.heading}>App registration</h4>
      <div className={styles.row}>
        <Field
          className={styles.grow}
          label="Tenant ID"
          required
          hint="Directory (tenant) ID or domain"
          {...fieldState(errors, "appOnly.tenantId")}
        >
          <Input
            id="ec-appOnly-tenantId"
            className={styles.mono}
            value={draft.tenantId}
            onChange={(_, d) => onChange({ tenantId: d.value })}
          />
        </Field>
        <Field
          className={styles.grow}
          label="Client ID"
          required
          hint="Application (client) ID"
          {...fieldState(errors, "appOnly.clientId")}
        >
          <Input
            id="ec-appOnly-clientId"
            className={styles.mono}
            value={draft.clientId}
            onChange={(_, d) => onChange({ clientId: d.value })}
          />
        </Field>
      </div>
      <Field label="Credential">
        <RadioGroup
          layout="horizontal"
          value={draft.credentialType}
          onChange={(_, d) => onChange({ credentialType: d.value as EmailConfigDraft["credentialType"] })}
        >
          <Radio value="secret" label="Client secret" />
          <Radio value="certificate" label="Certificate" />
        </RadioGroup>
      </Field>
      {draft.credentialType === "secret" ? (
        <Field
          label="Client secret"
          hint={
            secretStored
              ? "A client secret is stored. Leave blank to keep it."
              : "Shown once when you create it in Entra ID."
          }
          {...fieldState(errors, "appOnly.clientSecret")}
        >
          <Input
            id="ec-appOnly-clientSecret"
            type="password"
            autoComplete="new-password"
            value={draft.clientSecret}
            placeholder={secretStored ? "•••••••• (stored)" : ""}
            onChange={(_, d) => onChange({ clientSecret: d.value })}
          />
        </Field>
      ) : (
        <>
          {certificateStored && (
            <Text size={200}>
              A certificate is stored (thumbprint {saved.appOnly.certificateThumbprint}). Leave both fields blank to
              keep it.
            </Text>
          )}
          <Field label="Certificate (PEM)" {...fieldState(errors, "appOnly.certificatePem")}>
            <Textarea
              id="ec-appOnly-certificatePem"
              className={styles.mono}
              rows={4}
              value={draft.certificatePem}
              onChange={(_, d) => onChange({ certificatePem: d.value })}
            />
          </Field>
          <Field
            label="Private key (PEM)"
            hint="Write-only: never shown again after saving."
            {...fieldState(errors, "appOnly.privateKeyPem")}
          >
            <Textarea
              id="ec-appOnly-privateKeyPem"
              className={styles.mono}
              rows={4}
              value={draft.privateKeyPem}
              onChange={(_, d) => onChange({ privateKeyPem: d.value })}
            />
          </Field>
        </>
      )}
      <div className={styles.row}>
        <Button onClick={consent} disabled={!idsValid}>
          Grant admin consent
        </Button>
      </div>
      {consentNote && (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>{consentNote}</MessageBarBody>
        </MessageBar>
      )}

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
        <Button onClick={() => void generate()} disabled={!isGuid(objectId.trim()) || !isGuid(draft.clientId.trim())}>
          Generate PowerShell
        </Button>
      </div>
      {scriptError !== null && <FailureMessage error={scriptError} />}
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
    </div>
  );
}
