import {
  Badge,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useCallback } from "react";
import type { CanaryVerdictDto } from "../../../contract/canaries";
import { CATEGORY_LABELS } from "../../../contract/labels";
import { useSession } from "../../auth/SessionProvider";
import { useResource } from "../../hooks/useResource";
import { FailureMessage } from "../FailureMessage";
import { VERDICT_COLOR, VERDICT_WORDS, byVerdict, leakedWords, verdictSentence } from "./canaryText";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase300 },
  leak: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXS, minWidth: 0 },
  text: { overflowWrap: "anywhere" },
  list: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalS,
    margin: 0,
    padding: 0,
    listStyle: "none",
  },
  item: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXXS, minWidth: 0 },
  head: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  address: { fontWeight: tokens.fontWeightSemibold, overflowWrap: "anywhere" },
  detail: { color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
});

/** A readable canary: critical, so it stands above the rest with what leaked, the likely cause and how to close it. */
function Leak({ verdict }: { verdict: CanaryVerdictDto }) {
  const styles = useStyles();
  return (
    <MessageBar intent="error" layout="multiline" data-verdict="leaked" data-testid="canary-leak">
      <MessageBarBody className={styles.leak}>
        <div className={styles.head}>
          <MessageBarTitle className={styles.text}>{verdict.address} is readable</MessageBarTitle>
          <Badge appearance="filled" color="danger" data-category={verdict.category}>
            {CATEGORY_LABELS.scope_leak}
          </Badge>
        </div>
        <Text className={styles.text}>
          Readable: {leakedWords(verdict.leaked)}. The service account or app reaches a mailbox it must not.
        </Text>
        {verdict.cause !== null && <Text className={styles.text}>Likely cause: {verdict.cause}</Text>}
        {verdict.remedy !== null && <Text className={styles.text}>What to do: {verdict.remedy}</Text>}
      </MessageBarBody>
    </MessageBar>
  );
}

/** The run's probe of each canary, shown with its results: leaks first and prominent, then the rest in a line each. */
export function CanaryVerdicts({ orgId, runId }: { orgId: string; runId: string }) {
  const styles = useStyles();
  const { api } = useSession();
  const load = useCallback(() => api.checkCanaries(orgId, runId), [api, orgId, runId]);
  const { resource, reload } = useResource(load);

  if (resource.status === "error") return <FailureMessage error={resource.error} onRetry={reload} />;
  const verdicts = byVerdict(resource.value?.items ?? []);
  if (verdicts.length === 0) return null;
  const leaks = verdicts.filter((verdict) => verdict.verdict === "leaked");
  const others = verdicts.filter((verdict) => verdict.verdict !== "leaked");

  return (
    <section className={styles.section} aria-labelledby="canary-verdicts-heading" data-testid="canary-verdicts">
      <h4 id="canary-verdicts-heading" className={styles.heading}>
        Canaries in this run
      </h4>
      {leaks.map((verdict) => (
        <Leak key={verdict.address} verdict={verdict} />
      ))}
      {others.length > 0 && (
        <ul className={styles.list} aria-label="Canary verdicts">
          {others.map((verdict) => (
            <li key={verdict.address} className={styles.item} data-verdict={verdict.verdict}>
              <div className={styles.head}>
                <span className={styles.address}>{verdict.address}</span>
                <Badge appearance="tint" color={VERDICT_COLOR[verdict.verdict]}>
                  {VERDICT_WORDS[verdict.verdict]}
                </Badge>
              </div>
              <Text size={200} className={styles.text}>
                {verdictSentence(verdict)}
              </Text>
              {verdict.verdict === "inconclusive" && verdict.detail !== null && (
                <Text size={200} className={styles.detail}>
                  The server answered: {verdict.detail}
                </Text>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
