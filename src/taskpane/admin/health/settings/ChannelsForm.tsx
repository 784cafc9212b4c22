import { Button, Field, Input, MessageBar, MessageBarBody, Switch, Text, Textarea } from "@fluentui/react-components";
import type { FormEvent } from "react";
import type { AlertChannelsDto, AlertChannelsInput } from "../../../../contract/monitoring";
import { useSession } from "../../../auth/SessionProvider";
import { FailureMessage } from "../../FailureMessage";
import { fieldState } from "../../fieldState";
import type { FieldErrors } from "./formErrors";
import { useSettingsStyles } from "./settingsStyles";
import { SettingsPending, useSettingsForm } from "./useSettingsForm";
import { useAlertChannels } from "./useMonitoring";

const FIELDS = [
  "email.recipients",
  "email.enabled",
  "email",
  "webhook.url",
  "webhook.secret",
  "webhook.enabled",
  "webhook",
];
const MAX_RECIPIENTS = 20;

interface ChannelsDraft {
  emailEnabled: boolean;
  recipients: string;
  webhookEnabled: boolean;
  url: string;
  /** Typed only to replace the stored secret; never filled from the server. */
  secret: string;
}

function toDraft(saved: AlertChannelsDto): ChannelsDraft {
  return {
    emailEnabled: saved.email.enabled,
    recipients: saved.email.recipients.join("\n"),
    webhookEnabled: saved.webhook.enabled,
    url: saved.webhook.url ?? "",
    secret: "",
  };
}

function recipientsOf(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((address) => address.trim())
    .filter(Boolean);
}

function validate(draft: ChannelsDraft, saved: AlertChannelsDto): FieldErrors {
  const errors: FieldErrors = {};
  const recipients = recipientsOf(draft.recipients);
  if (draft.emailEnabled && recipients.length === 0) errors["email.recipients"] = "Enter at least one address.";
  else if (recipients.length > MAX_RECIPIENTS)
    errors["email.recipients"] = `Enter at most ${MAX_RECIPIENTS} addresses.`;
  if (draft.webhookEnabled && !draft.url.trim()) errors["webhook.url"] = "Enter the webhook's https URL.";
  const secret = draft.secret.trim();
  if (secret && (secret.length < 16 || secret.length > 200)) errors["webhook.secret"] = "Use 16 to 200 characters.";
  else if (draft.webhookEnabled && !secret && !saved.webhook.hasSecret) {
    errors["webhook.secret"] = "Enter a signing secret (16 to 200 characters).";
  }
  return errors;
}

function toInput(draft: ChannelsDraft): AlertChannelsInput {
  const secret = draft.secret.trim();
  return {
    email: { enabled: draft.emailEnabled, recipients: recipientsOf(draft.recipients) },
    webhook: { enabled: draft.webhookEnabled, url: draft.url.trim() || null, ...(secret ? { secret } : {}) },
  };
}

/** Where alerts go: email recipients, a signed webhook (its secret write-only), and a test message. */
export function ChannelsForm({ orgId, onDelivered }: { orgId: string; onDelivered: () => void }) {
  const styles = useSettingsStyles();
  const { api } = useSession();
  const { resource: channels, reload } = useAlertChannels(orgId);
  const form = useSettingsForm(channels, toDraft, FIELDS);
  const { saved, draft, errors, notice, change, run, busy, failure } = form;

  if (!draft || !saved)
    return <SettingsPending resource={channels} reload={reload} label="Loading the alert channels…" />;

  const submit = (event: FormEvent) =>
    form.submit(event, validate(draft, saved), () => api.saveAlertChannels(orgId, toInput(draft)), "Channels saved.");

  const sendTest = () =>
    run("testing", async () => {
      const result = await api.testAlertChannels(orgId);
      onDelivered();
      // A second look once the first attempts have had time to land.
      if (result.channels.length > 0) setTimeout(onDelivered, 3_000);
      if (result.channels.length === 0) return "No channel is turned on: save one first.";
      // The server answers at once; retries go on in the background and land in the delivery log.
      const names = result.channels.map((channel) => (channel === "email" ? "email" : "the webhook")).join(" and ");
      return `Test message queued for ${names}: the delivery log shows how it went.`;
    });

  return (
    <form
      className={styles.form}
      onSubmit={(event) => void submit(event)}
      aria-labelledby="channels-heading"
      noValidate
    >
      <h4 id="channels-heading" className={styles.heading}>
        Channels
      </h4>
      <Switch
        checked={draft.emailEnabled}
        onChange={(_, data) => change({ emailEnabled: data.checked })}
        label="Send alerts by email"
      />
      {!saved.email.smtpConfigured && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            The server has no mail relay (SMTP_HOST is not set), so email alerts cannot go out. Ask whoever runs the
            Sync Sidebar service to configure one.
          </MessageBarBody>
        </MessageBar>
      )}
      <Field
        label="Recipients"
        hint={`One address per line, at most ${MAX_RECIPIENTS}.`}
        {...fieldState(errors, "email.recipients")}
      >
        <Textarea
          value={draft.recipients}
          onChange={(_, data) => change({ recipients: data.value })}
          resize="vertical"
        />
      </Field>
      <Switch
        checked={draft.webhookEnabled}
        onChange={(_, data) => change({ webhookEnabled: data.checked })}
        label="Send alerts to a webhook"
      />
      <Field
        label="Webhook URL"
        {...(saved.webhook.url?.endsWith("/…")
          ? {
              hint: "Stored sealed and shown by its origin only. Leave it to keep it; type the full URL to replace it.",
            }
          : {})}
        {...fieldState(errors, "webhook.url")}
      >
        <Input
          type="url"
          value={draft.url}
          placeholder="https://hooks.example.com/sync-sidebar"
          onChange={(_, data) => change({ url: data.value })}
        />
      </Field>
      <Field
        label="Signing secret"
        hint={
          saved.webhook.hasSecret
            ? "A secret is stored and is never shown. Type a new one only to replace it."
            : "Used to sign each request (HMAC-SHA256); 16 to 200 characters."
        }
        {...fieldState(errors, "webhook.secret")}
      >
        <Input
          type="password"
          autoComplete="new-password"
          value={draft.secret}
          placeholder={saved.webhook.hasSecret ? "Stored (unchanged)" : ""}
          onChange={(_, data) => change({ secret: data.value })}
        />
      </Field>
      {failure !== null && <FailureMessage error={failure} />}
      <div className={styles.actions}>
        <Button type="submit" appearance="primary" disabled={busy !== null}>
          {busy === "saving" ? "Saving…" : "Save channels"}
        </Button>
        <Button onClick={() => void sendTest()} disabled={busy !== null}>
          {busy === "testing" ? "Sending…" : "Send test"}
        </Button>
      </div>
      <Text aria-live="polite" className={styles.hint}>
        {notice}
      </Text>
    </form>
  );
}
