import { Field, Input, Radio, RadioGroup, Text, Textarea, makeStyles, tokens } from "@fluentui/react-components";
import type { EmailConfigDto } from "../../../contract/api";
import { fieldState } from "../fieldState";
import type { EmailConfigDraft, FieldErrors } from "./draft";

const useStyles = makeStyles({
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "end" },
  grow: { flexGrow: 1, minWidth: "min(100%, 14rem)" },
  mono: { fontFamily: tokens.fontFamilyMonospace },
});

/** The app registration App-only signs in with: tenant, client ID, and a client secret or a certificate. */
export function AppRegistrationFields({
  draft,
  saved,
  errors,
  onChange,
}: {
  draft: EmailConfigDraft;
  saved: EmailConfigDto;
  errors: FieldErrors;
  onChange: (change: Partial<EmailConfigDraft>) => void;
}) {
  const styles = useStyles();
  const secretStored = saved.appOnly.credentialType === "secret" && saved.appOnly.hasClientSecret;
  const certificateStored = saved.appOnly.credentialType === "certificate";
  return (
    <>
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
        <>
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
          <Field
            label="Secret expires on"
            hint="The Expires date Entra ID shows under Certificates & secrets: monitoring alerts before it passes."
            {...fieldState(errors, "appOnly.clientSecretExpiresAt")}
          >
            <Input
              id="ec-appOnly-clientSecretExpiresAt"
              type="date"
              value={draft.clientSecretExpiresAt}
              onChange={(_, d) => onChange({ clientSecretExpiresAt: d.value })}
            />
          </Field>
        </>
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
    </>
  );
}
