import {
  Badge,
  Button,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  type BadgeProps,
} from "@fluentui/react-components";
import type { DeliveryAttemptDto, DeliveryStatus } from "../../../../contract/monitoring";
import { FailureMessage } from "../../FailureMessage";
import type { Resource } from "../../../hooks/useResource";
import type { Page } from "../../../../contract/api";
import { useSettingsStyles } from "./settingsStyles";

const STATUS: Record<DeliveryStatus, { label: string; color: NonNullable<BadgeProps["color"]> }> = {
  delivered: { label: "Delivered", color: "success" },
  retrying: { label: "Retrying", color: "warning" },
  failed: { label: "Failed", color: "danger" },
};

const EVENTS: Record<DeliveryAttemptDto["event"], string> = {
  fired: "Alert",
  resolved: "Resolved",
  test: "Test",
  info: "Info",
};

/** The latest delivery attempts, newest first: one row per attempt, with why it failed. */
export function DeliveryLog({
  deliveries,
  reload,
}: {
  deliveries: Resource<Page<DeliveryAttemptDto>>;
  reload: () => void;
}) {
  const styles = useSettingsStyles();
  const attempts = deliveries.value?.items ?? [];
  return (
    <section className={styles.form} aria-labelledby="deliveries-heading">
      <div className={styles.actions}>
        <h4 id="deliveries-heading" className={styles.heading}>
          Delivery log
        </h4>
        <Button size="small" appearance="subtle" onClick={reload}>
          Refresh
        </Button>
      </div>
      {deliveries.status === "error" && <FailureMessage error={deliveries.error} onRetry={reload} />}
      {deliveries.status === "ready" && attempts.length === 0 && (
        <Text className={styles.hint}>Nothing sent yet. Select Send test to try the channels.</Text>
      )}
      {attempts.length > 0 && (
        <Table size="small" aria-labelledby="deliveries-heading">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>When</TableHeaderCell>
              <TableHeaderCell>What</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {attempts.map((attempt) => (
              <TableRow key={attempt.id}>
                <TableCell className={styles.cell}>
                  <time dateTime={attempt.at}>{new Date(attempt.at).toLocaleString()}</time>
                </TableCell>
                <TableCell className={styles.cell}>
                  <Text weight="semibold" block>
                    {attempt.event === "test" ? attempt.alertName : `${EVENTS[attempt.event]}: ${attempt.alertName}`}
                  </Text>
                  By {attempt.channel === "email" ? "email" : "webhook"}
                  {attempt.attempt > 1 ? `, attempt ${attempt.attempt}` : ""}
                  {attempt.error && <Text className={styles.hint}>{attempt.error}</Text>}
                </TableCell>
                <TableCell className={styles.cell}>
                  <Badge appearance="tint" color={STATUS[attempt.status].color}>
                    {STATUS[attempt.status].label}
                    {attempt.httpStatus !== null ? ` (${attempt.httpStatus})` : ""}
                  </Badge>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
}
