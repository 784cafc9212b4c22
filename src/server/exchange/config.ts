/**
 * The organization's decrypted email configuration a mailbox driver works with (ResolvedEmailConfig, built by the
 * backend from the stored row or from an unsaved draft). The backend's services for a driver (MailboxDriverDeps) are
 * in driver.ts; the parts of fetch it uses are in transport.ts.
 */
import type { AccessTypeId, EwsAuthentication } from "../../contract/accessTypes.js";

/** t:RequestServerVersion values the product may send; Exchange2016 covers 2016, 2019 and Subscription Edition. */
export type EwsServerVersion = "Exchange2013" | "Exchange2013_SP1" | "Exchange2016";

interface EwsConfigBase {
  /** Absolute https URL of Exchange Web Services, e.g. https://mail.contoso.com/EWS/Exchange.asmx. */
  ewsUrl: string;
  /** Defaults to Exchange2016. */
  serverVersion?: EwsServerVersion;
}

export interface EwsBasicConfig extends EwsConfigBase {
  accessType: "ews_basic_impersonation";
  /** The impersonating service account's logon: DOMAIN\user, a UPN or the address. */
  accountLogon: string;
  password: string;
  /** How it signs in to EWS and Autodiscover POX; defaults to automatic (NTLM when offered, else Basic). */
  authentication?: EwsAuthentication;
}

export interface EwsOAuthConfig extends EwsConfigBase {
  accessType: "ews_oauth_impersonation";
  /** Entra tenant of the service account, or null when unknown (the authority then uses "organizations"). */
  tenantId: string | null;
  /** The signed-in service account (from the token cache); null before the first sign-in. */
  serviceAccount: { username: string | null; homeAccountId: string | null };
}

export type AppOnlyCredential =
  { type: "secret"; clientSecret: string } | { type: "certificate"; certificatePem: string; privateKeyPem: string };

export interface GraphAppOnlyConfig {
  accessType: "graph_app_only";
  tenantId: string;
  clientId: string;
  credential: AppOnlyCredential;
}

export type ResolvedEmailConfig = EwsBasicConfig | EwsOAuthConfig | GraphAppOnlyConfig;

export type { AccessTypeId, EwsAuthentication };
