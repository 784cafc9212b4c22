import { Divider, makeStyles, tokens } from "@fluentui/react-components";
import { AlertRulesForm } from "./AlertRulesForm";
import { ChannelsForm } from "./ChannelsForm";
import { DeliveryLog } from "./DeliveryLog";
import { ScheduleForm } from "./ScheduleForm";
import { useDeliveries } from "./useMonitoring";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalL, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
});

/** Monitoring: when checks re-run by themselves, what raises an alert, where alerts go and what was sent. */
export function MonitoringSettings({ orgId }: { orgId: string }) {
  const styles = useStyles();
  const { resource: deliveries, reload: reloadDeliveries } = useDeliveries(orgId);
  return (
    <section className={styles.section} aria-labelledby="monitoring-heading">
      <Divider />
      <h3 id="monitoring-heading" className={styles.heading}>
        Monitoring
      </h3>
      <ScheduleForm orgId={orgId} />
      <AlertRulesForm orgId={orgId} />
      <ChannelsForm orgId={orgId} onDelivered={reloadDeliveries} />
      <DeliveryLog deliveries={deliveries} reload={reloadDeliveries} />
    </section>
  );
}
