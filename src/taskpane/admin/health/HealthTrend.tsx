import { ResponsiveContainer, VerticalStackedBarChart, type VerticalStackedChartProps } from "@fluentui/react-charts";
import {
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  ToggleButton,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Component, Fragment, useId, useState, type ReactNode } from "react";
import { useHiddenStyles } from "../styles";
import { TRIGGER_LABELS, type RunFigures } from "./healthFigures";

/** Office theme colours (the FluentProvider's tokens), the same the status badges use. */
const SERIES = [
  { key: "connected", legend: "Connected", color: tokens.colorStatusSuccessBackground3 },
  { key: "needsAttention", legend: "Needs attention", color: tokens.colorStatusWarningBackground3 },
  { key: "failing", legend: "Failing", color: tokens.colorStatusDangerBackground3 },
  // A stopped run's users in scope it never reached: its column is marked instead of left empty.
  { key: "notChecked", legend: "Not checked (run stopped)", color: tokens.colorNeutralStroke1 },
] as const;

const CHART_HEIGHT = 280;

const useStyles = makeStyles({
  figure: { margin: 0, display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  caption: { color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
  chart: { width: "100%", minWidth: 0, overflow: "hidden" },
  table: { tableLayout: "auto", width: "100%" },
  number: { textAlign: "end", fontVariantNumeric: "tabular-nums" },
  when: { overflowWrap: "break-word" },
  block: { display: "block" },
  trigger: {
    display: "block",
    color: tokens.colorNeutralForeground2,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: "break-word",
  },
  stopped: {
    display: "block",
    color: tokens.colorStatusDangerForeground1,
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightSemibold,
    overflowWrap: "anywhere",
  },
});

/** If the chart cannot draw (an old host's SVG quirks), the table below still carries every figure. */
class ChartBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    return this.state.failed ? null : this.props.children;
  }
}

function chartData(runs: RunFigures[]): VerticalStackedChartProps[] {
  // The stopped-run series only when a run stopped, so a healthy history keeps a legend of three.
  const anyStopped = runs.some((run) => run.stopped !== null);
  return runs.map((run) => ({
    xAxisPoint: run.label,
    chartData: SERIES.filter((series) => anyStopped || series.key !== "notChecked").map((series) => ({
      legend: series.legend,
      data: run[series.key],
      color: series.color,
    })),
  }));
}

/** What the caption and the chart's title say of the newest run: its figures, or that it stopped and why. */
export function latestRunSummary(runs: RunFigures[]): string {
  const latest = runs[runs.length - 1];
  if (!latest) return "";
  const figures = (run: RunFigures) =>
    `${run.connected} connected, ${run.needsAttention} need attention, ${run.failing} failing`;
  if (latest.stopped === null) return `Latest run: ${figures(latest)}.`;
  const previous = [...runs].reverse().find((run) => run.stopped === null);
  return (
    `Latest run stopped: ${latest.stopped}${latest.notChecked > 0 ? ` (${latest.notChecked} users not checked)` : ""}.` +
    (previous ? ` Last complete run (${previous.label}): ${figures(previous)}.` : "")
  );
}

/**
 * The trend of connected / needs attention / failing users per run: a stacked bar chart with, always in the page,
 * a table of the same figures (visually shown on request; screen readers reach it either way).
 */
export function HealthTrend({ runs }: { runs: RunFigures[] }) {
  const styles = useStyles();
  const hidden = useHiddenStyles();
  const [showTable, setShowTable] = useState(false);
  const captionId = useId();
  const tableId = useId();
  const summary = latestRunSummary(runs);

  return (
    <figure className={styles.figure} aria-labelledby={captionId}>
      <figcaption id={captionId} className={styles.caption}>
        Users per check run, oldest to newest ({runs.length} {runs.length === 1 ? "run" : "runs"}). {summary}
      </figcaption>
      <div className={styles.chart} data-testid="health-chart">
        <ChartBoundary>
          {/* Redraws at the container's width: the sidebar can be resized between 320 px and a full window. */}
          <ResponsiveContainer height={CHART_HEIGHT}>
            <VerticalStackedBarChart
              data={chartData(runs)}
              chartTitle={`Trend of connected, needs attention and failing users per run. ${summary} The table of figures follows`}
              barWidth="auto"
              maxBarWidth={28}
              wrapXAxisLables
              enabledLegendsWrapLines
              svgProps={{ "aria-describedby": tableId }}
            />
          </ResponsiveContainer>
        </ChartBoundary>
      </div>
      <div>
        <ToggleButton
          size="small"
          checked={showTable}
          aria-controls={tableId}
          onClick={() => setShowTable((shown) => !shown)}
        >
          {showTable ? "Hide table of figures" : "Show table of figures"}
        </ToggleButton>
      </div>
      <div id={tableId} className={showTable ? undefined : hidden.visuallyHidden}>
        <Table size="small" className={styles.table} aria-label="Users per check run, newest first">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Run</TableHeaderCell>
              <TableHeaderCell className={styles.number}>Connected</TableHeaderCell>
              <TableHeaderCell className={styles.number}>Needs attention</TableHeaderCell>
              <TableHeaderCell className={styles.number}>Failing</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {[...runs].reverse().map((run) => (
              <Fragment key={run.runId}>
                <TableRow>
                  <TableCell className={styles.when}>
                    <time dateTime={run.startedAt} className={styles.block}>
                      {run.label}
                    </time>
                    <span className={styles.trigger}>{TRIGGER_LABELS[run.trigger]}</span>
                  </TableCell>
                  <TableCell className={styles.number}>{run.connected}</TableCell>
                  <TableCell className={styles.number}>{run.needsAttention}</TableCell>
                  <TableCell className={styles.number}>{run.failing}</TableCell>
                </TableRow>
                {run.stopped !== null && (
                  // The whole width for the reason: in the 320 px sidebar the Run column is too narrow for it.
                  <TableRow>
                    <TableCell colSpan={4} data-testid="run-stopped">
                      <span className={styles.stopped}>
                        Stopped: {run.stopped}
                        {run.notChecked > 0 ? ` (${run.notChecked} not checked)` : ""}
                      </span>
                      {run.stopDetail && <span className={styles.trigger}>{run.stopDetail}</span>}
                    </TableCell>
                  </TableRow>
                )}
              </Fragment>
            ))}
          </TableBody>
        </Table>
      </div>
    </figure>
  );
}
