/**
 * Wire shapes of the email-config helper routes (magic wand, service-account sign-in, RBAC script) as the pane
 * reads them. They mirror src/server/exchange (DiscoveryResult, RbacScriptResult); kept here until the routes'
 * types land in src/contract.
 */
export interface DiscoveryStepDto {
  name: string;
  url: string | null;
  outcome: "ok" | "failed" | "skipped";
  detail: string;
}

export interface DiscoveryResultDto {
  ewsUrl: string | null;
  /** True when the URL found is Exchange Online: only Microsoft 365 OAuth (Graph) – App-only fits. */
  exchangeOnline: boolean;
  steps: DiscoveryStepDto[];
}

/** The service account's token from the popup; the backend exchanges it on-behalf-of for an EWS token. */
export interface ServiceAccountSignInInput {
  accessToken: string;
}

export interface RbacScriptDto {
  script: string;
}
