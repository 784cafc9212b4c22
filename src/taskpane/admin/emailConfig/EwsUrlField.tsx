import {
  Badge,
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Wand20Regular } from "@fluentui/react-icons";
import { useState } from "react";
import { useSession } from "../../auth/SessionProvider";
import { useAction } from "../../hooks/useAction";
import type { EwsAuthentication } from "../../../contract/accessTypes";
import type { DiscoverEwsUrlInput, DiscoveryResultDto, DiscoverySuggestionDto } from "../../../contract/checks";
import { FailureMessage } from "../FailureMessage";

const useStyles = makeStyles({
  row: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "end", flexWrap: "wrap" },
  grow: { flexGrow: 1, minWidth: "min(100%, 14rem)" },
  steps: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: "flex", flexDirection: "column", rowGap: "4px" },
  step: { overflowWrap: "anywhere" },
});

const OUTCOME_COLOR = { ok: "success", failed: "danger", skipped: "subtle", found: "warning" } as const;

/** The EWS URL with the magic wand: discovery from the account logon's domain, every step shown. */
export function EwsUrlField({
  orgId,
  value,
  onChange,
  error,
  discoveryAddress,
  discoverySource,
  credentials,
}: {
  orgId: string;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  /** The address whose domain is probed (the account logon, else the admin's own address). */
  discoveryAddress: string;
  /** Where that address came from: said beside the wand, so a blank Account Logon does not probe silently. */
  discoverySource: "accountLogon" | "admin";
  credentials: { accountLogon: string; password: string; authentication?: EwsAuthentication } | null;
}) {
  const styles = useStyles();
  const { api } = useSession();
  const [result, setResult] = useState<DiscoveryResultDto | null>(null);
  // A URL found while the admin had typed another waits for her word before it replaces hers.
  const [proposed, setProposed] = useState<string | null>(null);
  const [probed, setProbed] = useState<{ address: string; source: "accountLogon" | "admin" } | null>(null);
  const discovery = useAction(async (chosen?: Partial<DiscoverEwsUrlInput>) => {
    const found = await api.discover(orgId, { address: discoveryAddress, ...(credentials ?? {}), ...chosen });
    setResult(found);
    setProbed({ address: discoveryAddress, source: discoverySource });
    const typed = value.trim();
    if (!found.ewsUrl) setProposed(null);
    else if (typed === "" || typed === found.ewsUrl) onChange(found.ewsUrl);
    else setProposed(found.ewsUrl);
  });
  // A "found" step pointed outside the domain and nothing was sent there: taking it is the admin's choice.
  const take = (suggestion: DiscoverySuggestionDto) => {
    if (suggestion.kind === "ewsUrl") onChange(suggestion.value);
    else if (suggestion.kind === "address") void discovery.run({ address: suggestion.value });
    else void discovery.run({ autodiscoverUrl: suggestion.value });
  };
  const busy = discovery.pending;

  return (
    <>
      <div className={styles.row}>
        <Field
          className={styles.grow}
          label="EWS URL"
          required
          hint="Exchange Web Services endpoint, e.g. https://mail.contoso.com/EWS/Exchange.asmx"
          {...(error ? { validationState: "error" as const, validationMessage: error } : {})}
        >
          <Input id="ec-ewsUrl" type="url" value={value} onChange={(_, data) => onChange(data.value)} />
        </Field>
        <Button
          icon={<Wand20Regular />}
          onClick={() => void discovery.run()}
          disabled={busy || discoveryAddress === ""}
          title={discoveryAddress === "" ? "Enter the Account Logon first: its domain is probed" : undefined}
        >
          {busy ? "Finding…" : "Find EWS URL"}
        </Button>
      </div>
      {discoveryAddress !== "" && discoverySource === "admin" && (
        <Text size={200} className={styles.step}>
          The Account Logon has no address yet, so the wand probes the domain of your own address, {discoveryAddress}.
        </Text>
      )}
      {discovery.error !== null && <FailureMessage error={discovery.error} />}
      {proposed !== null && (
        <MessageBar intent="info" layout="multiline" data-testid="replace-ews-url">
          <MessageBarBody>
            Found {proposed}. Replace the EWS URL you typed ({value.trim()})?
          </MessageBarBody>
          <MessageBarActions>
            <Button
              onClick={() => {
                onChange(proposed);
                setProposed(null);
              }}
            >
              Use the found URL
            </Button>
            <Button onClick={() => setProposed(null)}>Keep mine</Button>
          </MessageBarActions>
        </MessageBar>
      )}
      {result && (
        <div aria-live="polite" data-testid="discovery-steps">
          <Text weight="semibold" block className={styles.step}>
            {result.ewsUrl ? `Found ${result.ewsUrl}` : "No EWS URL was found; enter it by hand."}
            {probed
              ? ` (probed ${probed.address}${probed.source === "admin" ? ", your own address, as the Account Logon has none" : ", the Account Logon"})`
              : ""}
          </Text>
          <ol className={styles.steps} aria-label="Discovery steps tried">
            {result.steps.map((step, index) => (
              <li key={index} className={styles.step}>
                <Badge appearance="tint" color={OUTCOME_COLOR[step.outcome]}>
                  {step.outcome}
                </Badge>{" "}
                {step.name}
                {step.url ? ` (${step.url})` : ""}: {step.detail}
                {step.suggestion && (
                  <>
                    {" "}
                    <Button size="small" disabled={busy} onClick={() => take(step.suggestion!)}>
                      Use it
                    </Button>
                  </>
                )}
              </li>
            ))}
          </ol>
        </div>
      )}
    </>
  );
}
