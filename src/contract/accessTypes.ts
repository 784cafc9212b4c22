/**
 * The three ways the backend reaches a user's mailbox. Ids are stable (stored in the database and sent over the API);
 * labels and guidance are what the admin reads.
 */
export const ACCESS_TYPE_IDS = ["ews_basic_impersonation", "ews_oauth_impersonation", "graph_app_only"] as const;
export type AccessTypeId = (typeof ACCESS_TYPE_IDS)[number];

export interface AccessTypeInfo {
  id: AccessTypeId;
  label: string;
  /** One line telling the admin when this type fits. */
  guidance: string;
  protocol: "ews" | "graph";
  /** False when Exchange Online no longer honours this type (ApplicationImpersonation removed, February 2025). */
  worksWithExchangeOnline: boolean;
}

export const ACCESS_TYPES: Record<AccessTypeId, AccessTypeInfo> = {
  ews_basic_impersonation: {
    id: "ews_basic_impersonation",
    label: "Microsoft Exchange Impersonation",
    guidance:
      "On-premises Exchange 2016, 2019 or Subscription Edition: a service account with the ApplicationImpersonation role signs in with its logon and password.",
    protocol: "ews",
    worksWithExchangeOnline: false,
  },
  ews_oauth_impersonation: {
    id: "ews_oauth_impersonation",
    label: "Microsoft 365 OAuth Logon (EWS API) – Impersonated logon",
    guidance:
      "On-premises Exchange with Hybrid Modern Auth: the service account signs in with Microsoft 365 in a popup and impersonates users over EWS.",
    protocol: "ews",
    worksWithExchangeOnline: false,
  },
  graph_app_only: {
    id: "graph_app_only",
    label: "Microsoft 365 OAuth (Graph) – App-only",
    guidance:
      "Exchange Online: an app registration with application permissions, limited to the org's users by RBAC for Applications.",
    protocol: "graph",
    worksWithExchangeOnline: true,
  },
};

export function isAccessTypeId(value: unknown): value is AccessTypeId {
  return typeof value === "string" && (ACCESS_TYPE_IDS as readonly string[]).includes(value);
}

/**
 * How the Microsoft Exchange Impersonation service account signs in to EWS and Autodiscover POX. Automatic uses
 * what the server offers, Windows authentication (NTLMv2) before Basic; on-premises Exchange ships with Basic off.
 */
export const EWS_AUTHENTICATIONS = ["automatic", "ntlm", "basic"] as const;
export type EwsAuthentication = (typeof EWS_AUTHENTICATIONS)[number];

export const EWS_AUTHENTICATION_LABELS: Record<EwsAuthentication, { label: string; guidance: string }> = {
  automatic: {
    label: "Automatic",
    guidance: "Uses what the server offers: Windows authentication (NTLM) when enabled, otherwise Basic.",
  },
  ntlm: {
    label: "Windows (NTLM)",
    guidance: "NTLMv2, as the EWS virtual directory ships (Windows authentication on, Basic off).",
  },
  basic: {
    label: "Basic",
    guidance: "Only when Basic authentication is enabled on the EWS and Autodiscover virtual directories.",
  },
};

export function isEwsAuthentication(value: unknown): value is EwsAuthentication {
  return typeof value === "string" && (EWS_AUTHENTICATIONS as readonly string[]).includes(value);
}

/** The standard Exchange Online EWS endpoint the magic wand fills in when the org uses no custom URL. */
export const EXCHANGE_ONLINE_EWS_URL = "https://outlook.office365.com/EWS/Exchange.asmx";

/** Exchange Online platform dates the UI and the checks explain (see DOMAIN.md). */
export const EXCHANGE_ONLINE_DATES = {
  applicationImpersonationRemoved: "2025-02-01",
  ewsBlockingStarted: "2026-10-01",
  ewsShutdown: "2027-04-01",
} as const;
