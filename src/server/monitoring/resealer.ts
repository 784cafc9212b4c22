/**
 * monitoring_settings.webhook_secret_enc and webhook_url_enc under rotation (`npm run secrets:rotate`, `npm run
 * doctor`); a URL still in clear (saved before migration 020) is sealed on the way.
 */
import type { Db } from "../db/database.js";
import type { Resealer } from "../secrets/resealers.js";
import { monitoringRepository } from "./repository.js";
import { webhookSecretContext } from "./service.js";
import { sealClearWebhookUrl, webhookUrlContext } from "./webhookUrl.js";

export const webhookSecretsResealer: Resealer = {
  name: "monitoring_settings",
  async reseal(db: Db, keyring) {
    const store = monitoringRepository(db, () => new Date());
    let moved = 0;
    for (const { orgId, envelope } of await store.webhookSecrets()) {
      if (keyring.keyIdOf(envelope) === keyring.activeKeyId) continue;
      const context = webhookSecretContext(orgId);
      // Only the envelope read: a secret replaced meanwhile stays as its writer left it.
      moved += await store.replaceWebhookSecret(
        orgId,
        envelope,
        keyring.seal(keyring.open(envelope, context), context),
      );
    }
    for (const row of await store.webhookUrls()) {
      const context = webhookUrlContext(row.orgId);
      if (row.envelope === null) {
        const seal = sealClearWebhookUrl(row.orgId, row.channelsJson, keyring);
        if (seal !== null) moved += await store.replaceWebhookUrl(row.orgId, row, seal);
      } else if (keyring.keyIdOf(row.envelope) !== keyring.activeKeyId) {
        const envelope = keyring.seal(keyring.open(row.envelope, context), context);
        moved += await store.replaceWebhookUrl(row.orgId, row, { channelsJson: row.channelsJson, envelope });
      }
    }
    return moved;
  },
  async verify(db: Db, keyring) {
    const store = monitoringRepository(db, () => new Date());
    const secrets = await store.webhookSecrets();
    for (const { orgId, envelope } of secrets) keyring.open(envelope, webhookSecretContext(orgId));
    const urls = (await store.webhookUrls()).flatMap((row) => (row.envelope === null ? [] : [row]));
    for (const { orgId, envelope } of urls) keyring.open(envelope!, webhookUrlContext(orgId));
    return secrets.length + urls.length;
  },
};
