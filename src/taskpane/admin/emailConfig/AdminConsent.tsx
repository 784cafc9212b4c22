import { Button, MessageBar, MessageBarBody, makeStyles, tokens } from "@fluentui/react-components";
import { useEffect, useState } from "react";
import type { ClientConfigDto } from "../../../contract/api";
import { adminConsentUrl, APP_ONLY_CONSENTED_GRAPH_PERMISSIONS } from "../../../contract/entraSetup";
import { useSession } from "../../auth/SessionProvider";
import { useBrowser } from "../../browser/browserActions";

const useStyles = makeStyles({
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "end" },
});

export { adminConsentUrl };

const CONSENTED = APP_ONLY_CONSENTED_GRAPH_PERMISSIONS.join(" and ");

/** "Grant admin consent": Microsoft's consent page for the app in a pop-up window (the lab has none: it says so). */
export function AdminConsent({
  tenantId,
  clientId,
  disabled,
}: {
  tenantId: string;
  clientId: string;
  disabled: boolean;
}) {
  const styles = useStyles();
  const { api } = useSession();
  const browser = useBrowser();
  // undefined while asking: which identity provider signs in decides what the button does, so it waits for the answer.
  const [clientConfig, setClientConfig] = useState<ClientConfigDto | null | undefined>(undefined);
  const [consentNote, setConsentNote] = useState<string | null>(null);

  useEffect(() => {
    api.clientConfig().then(setClientConfig, () => setClientConfig(null));
  }, [api]);

  const consent = () => {
    if (clientConfig?.protocolMode === "oidc") {
      // The lab's identity provider is not Microsoft Entra: it has no consent page, its apps are pre-consented.
      setConsentNote(
        `This server signs in with the Exchange lab, whose app registrations are already consented. With Microsoft 365 this button opens Microsoft's admin consent for a Global Administrator to grant the app ${CONSENTED} only: mail and calendar access comes from RBAC for Applications, scoped to this organization's users.`,
      );
      return;
    }
    const opened = browser.openPopup(
      adminConsentUrl(tenantId.trim(), clientId.trim(), `${browser.origin}/auth.html`),
      "admin-consent",
      "popup,width=520,height=640",
    );
    setConsentNote(
      opened
        ? "Finish admin consent in the window that opened, then run the check."
        : "The consent window was blocked: allow pop-ups for this site and try again.",
    );
  };

  return (
    <>
      <div className={styles.row}>
        <Button onClick={consent} disabled={disabled || clientConfig === undefined}>
          Grant admin consent
        </Button>
      </div>
      {consentNote && (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>{consentNote}</MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}
