/** monitoring_settings.webhook_secret_enc under rotation (`npm run secrets:rotate`, `npm run doctor`). */
import type { Db } from "../db/database.js";
import type { Resealer } from "../secrets/resealers.js";
import { monitoringRepository } from "./repository.js";
import { webhookSecretContext } from "./service.js";

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
    return moved;
  },
  async verify(db: Db, keyring) {
    const secrets = await monitoringRepository(db, () => new Date()).webhookSecrets();
    for (const { orgId, envelope } of secrets) keyring.open(envelope, webhookSecretContext(orgId));
    return secrets.length;
  },
};
