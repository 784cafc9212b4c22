import { Badge, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";
import type { CategoryId, Severity } from "../../../contract/categories";
import {
  SCOPE_RELATED_CATEGORIES,
  type CheckResultDto,
  type CheckResultsQuery,
  type CheckSettlingDto,
} from "../../../contract/checks";
import { useSession } from "../../auth/SessionProvider";
import { useExpireOnSignIn } from "../../hooks/useExpireOnSignIn";
import { BreakableAddress } from "../../components/BreakableAddress";
import { FailureMessage } from "../FailureMessage";
import { useBadgeStyles } from "../styles";
import { CATEGORY_LABELS } from "../../../contract/labels";
import { SEVERITY_COLOR, capabilitiesLine, settlingText } from "./resultText";
import { UsePrimaryAddress, type Replacement } from "./UsePrimaryAddress";

const PAGE = 500;
const MAX_VIEWPORT_HEIGHT = "min(60vh, 32rem)";

const useStyles = makeStyles({
  viewport: {
    // The height itself is set per render: as tall as the rows, up to this.
    maxHeight: MAX_VIEWPORT_HEIGHT,
    overflowY: "auto",
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    contain: "strict",
  },
  row: {
    position: "absolute",
    left: 0,
    width: "100%",
    boxSizing: "border-box",
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalXXS,
  },
  head: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  email: { fontWeight: tokens.fontWeightSemibold, overflowWrap: "anywhere" },
  text: { overflowWrap: "anywhere" },
  remedy: { color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
});

interface Loaded {
  key: string;
  items: CheckResultDto[];
  /** Which of the stages below the next page comes from. */
  stage: number;
  nextCursor: string | null;
  /** Every stage read to its end. */
  complete: boolean;
}

/** Worst first: what the admin must fix, what may clear by itself, warnings, then the connected. */
const SEVERITY_ORDER: readonly Severity[] = ["error", "transient", "warning", "ok"];

/**
 * The queries that read the results worst first: one per severity that has results (each paged by email), or the
 * one category filtered on. A run without severity counts is read in one pass.
 */
export function resultStages(
  category: CategoryId | null,
  severityCounts: Partial<Record<Severity, number>> | null,
): CheckResultsQuery[] {
  if (category) return [{ category }];
  if (!severityCounts) return [{}];
  const stages = SEVERITY_ORDER.filter((severity) => (severityCounts[severity] ?? 0) > 0).map((severity) => ({
    severity,
  }));
  return stages.length > 0 ? stages : [{}];
}

/**
 * Per-user results of a run, virtualized (only the rows in view are in the DOM, so 10,000 results scroll smoothly)
 * and fetched a page at a time as the admin scrolls, worst first (errors, transient, warnings, ok; by email within).
 */
export function ResultsList({
  orgId,
  runId,
  category,
  profile = null,
  total,
  severityCounts = null,
  settling = null,
  onRecheck,
  recheckDisabled = false,
}: {
  orgId: string;
  runId: string;
  category: CategoryId | null;
  /** Only the results of this connection profile's users (its id), in a run over several profiles. */
  profile?: string | null;
  /** Results expected for this filter, so the scrollbar is right before every page is loaded. */
  total: number;
  /** The run's results per severity: the list reads each severity in turn, the worst first. */
  severityCounts?: Partial<Record<Severity, number>> | null;
  /** The run (app-only) started soon after a configuration change: scope-related results say when to re-check. */
  settling?: CheckSettlingDto | null;
  /** Checks these users again (offered after an alias was replaced by its primary address). */
  onRecheck?: (userIds: string[]) => void;
  recheckDisabled?: boolean;
}) {
  const styles = useStyles();
  const badge = useBadgeStyles();
  const { api } = useSession();
  const expireOnSignIn = useExpireOnSignIn();
  const stages = resultStages(category, severityCounts);
  const stagesKey = stages.map((stage) => stage.category ?? stage.severity ?? "").join(",");
  const key = `${runId}|${category ?? ""}|${profile ?? ""}|${total}|${stagesKey}`;
  const empty = (at: string): Loaded => ({ key: at, items: [], stage: 0, nextCursor: null, complete: false });
  const [loaded, setLoaded] = useState<Loaded>(empty(""));
  const [error, setError] = useState<unknown>(null);
  const loading = useRef<string | null>(null);
  const viewport = useRef<HTMLDivElement>(null);
  // Aliases replaced by their primary address, by the result's user: rows come and go as the list scrolls.
  const [replacements, setReplacements] = useState<Record<string, Replacement>>({});

  const current = loaded.key === key ? loaded : empty(key);
  // Rows not fetched yet render as placeholders; the next page is fetched as they scroll into view.
  const count = current.complete ? current.items.length : Math.max(total, current.items.length);

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => viewport.current,
    estimateSize: () => 76,
    // Before layout is measured (first paint, jsdom) assume a pane-sized viewport.
    initialRect: { width: 320, height: 512 },
    overscan: 8,
  });
  const visible = virtualizer.getVirtualItems();
  const lastVisible = visible[visible.length - 1]?.index ?? 0;

  useEffect(() => {
    if (current.complete) return;
    const needMore = current.items.length === 0 || lastVisible >= current.items.length - 20;
    const requestKey = `${key}|${current.stage}|${current.items.length}`;
    if (!needMore || loading.current === requestKey) return;
    loading.current = requestKey;
    const stage = stages[current.stage] ?? {};
    api
      .checkResults(orgId, runId, {
        limit: PAGE,
        ...stage,
        ...(profile === null ? {} : { profile }),
        ...(current.nextCursor ? { cursor: current.nextCursor } : {}),
      })
      .then(
        (page) => {
          setError(null);
          setLoaded((previous) => {
            const base = previous.key === key ? previous : empty(key);
            const items = [...base.items, ...page.items];
            // The end of one severity's pages: the next severity starts from its first page.
            if (page.nextCursor !== null) return { ...base, items, nextCursor: page.nextCursor };
            const next = base.stage + 1;
            return { key, items, stage: next, nextCursor: null, complete: next >= stages.length };
          });
        },
        (failure: unknown) => {
          loading.current = null;
          expireOnSignIn(failure);
          setError(failure);
        },
      );
    // `stages` follows from `key` (stagesKey is part of it).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [
    api,
    orgId,
    runId,
    key,
    current.stage,
    current.items.length,
    current.nextCursor,
    current.complete,
    lastVisible,
    expireOnSignIn,
  ]);

  if (error !== null && current.items.length === 0) return <FailureMessage error={error} />;
  if (total === 0) return <Text>No results{category ? " in this category" : ""}.</Text>;

  return (
    <>
      <div
        ref={viewport}
        className={styles.viewport}
        role="list"
        aria-label={`Results, ${total} ${total === 1 ? "user" : "users"}`}
        tabIndex={0}
        data-testid="results-list"
        // contain: strict needs an explicit height: the rows' own (measured) height, capped by the maximum.
        style={{ height: `min(${virtualizer.getTotalSize()}px, ${MAX_VIEWPORT_HEIGHT})` }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {visible.map((row) => {
            const result = current.items[row.index];
            return (
              <div
                key={row.key}
                data-index={row.index}
                ref={virtualizer.measureElement}
                className={styles.row}
                style={{ transform: `translateY(${row.start}px)` }}
                role="listitem"
                aria-posinset={row.index + 1}
                aria-setsize={total}
              >
                {result ? (
                  <>
                    <div className={styles.head}>
                      <span className={styles.email}>
                        <BreakableAddress address={result.email} />
                      </span>
                      <Badge
                        appearance="tint"
                        color={SEVERITY_COLOR[result.severity]}
                        data-category={result.category}
                        className={badge.wrapping}
                      >
                        {CATEGORY_LABELS[result.category]}
                      </Badge>
                    </div>
                    <Text size={200} className={styles.text}>
                      {result.message}
                      {result.primarySmtpAddress ? ` Primary address: ${result.primarySmtpAddress}.` : ""}
                    </Text>
                    {result.capabilities !== null && (
                      <Text size={200} className={styles.text} data-testid="capabilities">
                        {capabilitiesLine(result.capabilities)}
                      </Text>
                    )}
                    {result.severity !== "ok" && (
                      <Text size={200} className={styles.remedy}>
                        What to do: {result.remedy}
                      </Text>
                    )}
                    {result.category === "non_primary_address" && result.primarySmtpAddress && (
                      <UsePrimaryAddress
                        orgId={orgId}
                        result={result}
                        replacement={replacements[result.userId] ?? null}
                        onReplaced={(done) => setReplacements((all) => ({ ...all, [result.userId]: done }))}
                        onRecheck={onRecheck}
                        recheckDisabled={recheckDisabled}
                      />
                    )}
                    {settling !== null && SCOPE_RELATED_CATEGORIES.includes(result.category) && (
                      <Text size={200} className={styles.remedy} data-testid="settling-note">
                        {settlingText(settling)}
                      </Text>
                    )}
                  </>
                ) : (
                  <Text size={200}>Loading…</Text>
                )}
              </div>
            );
          })}
        </div>
      </div>
      {error !== null && <FailureMessage error={error} />}
    </>
  );
}
