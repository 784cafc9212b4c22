import { Field, Input, Select, makeStyles } from "@fluentui/react-components";
import { EWS_AUTHENTICATIONS, EWS_AUTHENTICATION_LABELS, type EwsAuthentication } from "../../../contract/accessTypes";
import type { EmailConfigDto } from "../../../contract/api";
import { fieldState } from "../fieldState";
import type { EmailConfigDraft, FieldErrors } from "./draft";

const useStyles = makeStyles({
  shrinkable: { minWidth: 0, maxWidth: "100%" },
});

/** The impersonating service account for the EWS access types: Account Logon, and for Basic its password and method. */
export function ServiceAccountFields({
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
  const basic = draft.accessType === "ews_basic_impersonation";
  if (!basic && draft.accessType !== "ews_oauth_impersonation") return null;
  return (
    <>
      <Field
        label="Account Logon"
        required={basic}
        hint={
          basic
            ? "The impersonating service account: CONTOSO\\svc-sync (down-level), svc-sync@contoso.com (UPN), or its email address when that is the UPN"
            : "The impersonating service account's email address"
        }
        {...fieldState(errors, "accountLogon")}
      >
        <Input
          id="ec-accountLogon"
          type={basic ? "text" : "email"}
          autoComplete="off"
          value={draft.accountLogon}
          onChange={(_, d) => onChange({ accountLogon: d.value })}
        />
      </Field>

      {basic && (
        <Field
          label="Password"
          required={!saved.hasPassword}
          hint={
            saved.hasPassword
              ? "A password is stored. Leave blank to keep it; type a new one to replace it."
              : "The service account's password. It is stored encrypted and never shown again."
          }
          {...fieldState(errors, "password")}
        >
          <Input
            id="ec-password"
            type="password"
            autoComplete="new-password"
            value={draft.password}
            placeholder={saved.hasPassword ? "•••••••• (stored)" : ""}
            onChange={(_, d) => onChange({ password: d.value })}
          />
        </Field>
      )}

      {basic && (
        <Field
          label="Authentication"
          hint={EWS_AUTHENTICATION_LABELS[draft.authentication].guidance}
          {...fieldState(errors, "authentication")}
        >
          <Select
            id="ec-authentication"
            className={styles.shrinkable}
            select={{ className: styles.shrinkable }}
            value={draft.authentication}
            onChange={(_, d) => onChange({ authentication: d.value as EwsAuthentication })}
          >
            {EWS_AUTHENTICATIONS.map((id) => (
              <option key={id} value={id}>
                {EWS_AUTHENTICATION_LABELS[id].label}
              </option>
            ))}
          </Select>
        </Field>
      )}
    </>
  );
}
