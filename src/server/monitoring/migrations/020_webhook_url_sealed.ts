import type { Kysely, Migration } from "kysely";

/**
 * The webhook URL's path and query are a credential (Slack- and Teams-style incoming webhooks): sealed beside the
 * signing secret. Rows saved before keep their clear URL in channels_json until the first start after this
 * migration seals it (MonitoringService.sealClearWebhookUrls, needing the keyring a migration does not have; also
 * run by `npm run secrets:rotate`); until then the clear URL is still read, so nothing is lost.
 */
export const migration020WebhookUrlSealed: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("monitoring_settings").addColumn("webhook_url_enc", "text").execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable("monitoring_settings").dropColumn("webhook_url_enc").execute();
  },
};
