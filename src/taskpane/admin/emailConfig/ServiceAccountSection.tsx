import { Badge, Button, MessageBar, MessageBarBody, Text, makeStyles, tokens } from "@fluentui/react-components";
import type { EmailConfigDto } from "../../../contract/api";
import { describeFailure, SessionExpiredError } from "../../backend/errors";
import { useSession } from "../../auth/SessionProvider";
import { useAction } from "../../hooks/useAction";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  text: { overflowWrap: "anywhere" },
});

/** The service account's own sign-in failing (interaction_required included) is not the admin's session expiring. */
const adminSessionExpired = (error: unknown) => error instanceof SessionExpiredError;

const STATE = {
  signed_in: { label: "Signed in", color: "success" },
  needs_sign_in: { label: "Needs sign-in again", color: "danger" },
  not_signed_in: { label: "Not signed in", color: "subtle" },
} as const;

/**
 * "Microsoft 365 OAuth (EWS API)": the service account signs in through the MSAL popup (login hint = Account Logon),
 * separately from the admin's own session; the pane hands its token to the backend, which exchanges it.
 */
export function ServiceAccountSection({
  orgId,
  accountLogon,
  serviceAccount,
  onSignedIn,
  profileId = null,
}: {
  orgId: string;
  /** The connection profile the form edits; null: the default. */
  profileId?: string | null;
  accountLogon: string;
  serviceAccount: EmailConfigDto["serviceAccount"];
  onSignedIn: () => void;
}) {
  const styles = useStyles();
  const { auth, api } = useSession();
  const state = STATE[serviceAccount.state];
  const signIn = useAction(
    async () => {
      const token = await auth.signInServiceAccount(accountLogon.trim());
      await api.signInServiceAccount(orgId, {
        accessToken: token.accessToken,
        ...(profileId === null ? {} : { profileId }),
      });
      onSignedIn();
    },
    { expiresSession: adminSessionExpired },
  );
  const busy = signIn.pending;

  const failureText = signIn.error === null ? null : describeFailure(signIn.error);
  return (
    <div className={styles.section} data-testid="service-account">
      <div className={styles.row}>
        <Button appearance="primary" onClick={() => void signIn.run()} disabled={busy}>
          {busy ? "Waiting for sign-in…" : "Microsoft 365 OAuth (EWS API)"}
        </Button>
        <Badge appearance="tint" color={state.color} data-testid="service-account-state">
          {state.label}
        </Badge>
      </div>
      <Text size={200} className={styles.text}>
        Opens a Microsoft 365 sign-in window for the service account
        {accountLogon.trim() ? ` (${accountLogon.trim()})` : ""}. Your own sign-in stays as it is.
      </Text>
      {serviceAccount.username && (
        <Text className={styles.text} data-testid="service-account-details">
          Service account: {serviceAccount.username}
          {serviceAccount.tokenExpiresAt
            ? ` — token valid until ${new Date(serviceAccount.tokenExpiresAt).toLocaleString()}; renewed automatically`
            : ""}
        </Text>
      )}
      {serviceAccount.state === "needs_sign_in" && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            The service account&apos;s sign-in expired or was revoked (password change, 90 days unused, Conditional
            Access). Sign it in again, or checks and sync stop.
          </MessageBarBody>
        </MessageBar>
      )}
      {failureText && (
        <MessageBar intent="error" layout="multiline" role="alert">
          <MessageBarBody>
            {failureText.title} {failureText.action}
          </MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
