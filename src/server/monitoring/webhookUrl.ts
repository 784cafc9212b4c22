/**
 * A webhook URL's path and query are a credential (a Slack or Teams incoming webhook is its own bearer token):
 * sealed at rest beside the signing secret, shown and audited as its origin only (`https://hooks.slack.com/…`).
 */
import type { Keyring } from "../secrets/keyring.js";
import { DEFAULT_CHANNELS, parseStored, type StoredChannels } from "./settings.js";

/** The associated data of an organization's sealed webhook URL: table, column and org id. */
export const webhookUrlContext = (orgId: string): string => `monitoring_settings.webhook_url_enc:${orgId}`;

const ELLIPSIS = "/…";

/** The origin, with "/…" when the URL carries a path or query beyond it: what the API and the audit show. */
export function webhookUrlShown(url: string): string {
  if (!URL.canParse(url)) return "(unreadable URL)";
  const parsed = new URL(url);
  const rest = parsed.pathname !== "/" || parsed.search !== "" || parsed.hash !== "" || url.endsWith(ELLIPSIS);
  return rest ? `${parsed.origin}${ELLIPSIS}` : parsed.origin;
}

/** Channels saved before migration 020 keep the full URL in clear: sealed here, the channels keep the shown form. */
export function sealClearWebhookUrl(
  orgId: string,
  channelsJson: string | null,
  keyring: Keyring,
): { channelsJson: string; envelope: string } | null {
  const channels: StoredChannels = parseStored(channelsJson, DEFAULT_CHANNELS);
  const url = channels.webhook.url;
  if (url === null || url.endsWith(ELLIPSIS) || !URL.canParse(url)) return null;
  return {
    channelsJson: JSON.stringify({ ...channels, webhook: { ...channels.webhook, url: webhookUrlShown(url) } }),
    envelope: keyring.seal(url, webhookUrlContext(orgId)),
  };
}
