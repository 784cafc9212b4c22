import { useCallback } from "react";
import type {
  AlertChannelsDto,
  FailingUserDto,
  MonitoringScheduleDto,
  RunHistoryEntryDto,
  StatusChangeDto,
} from "../../../contract/monitoring";
import { useSession } from "../../auth/SessionProvider";
import { useResource, type Resource } from "../../hooks/useResource";

/** Runs in the trend: enough for a month of daily runs, few enough to read at 320 px. */
export const HISTORY_RUNS = 30;
const CHANGES_LIMIT = 100;

export interface HealthData {
  history: RunHistoryEntryDto[];
  failing: FailingUserDto[];
  changes: StatusChangeDto[];
  /** Whether alerts are held (a settling change) and where they go: the line above the trend. */
  schedule: MonitoringScheduleDto;
  channels: AlertChannelsDto;
}

/** The Health tab's data: the recent runs' figures, who fails now, the latest status changes, where alerts stand. */
export function useHealth(orgId: string): { resource: Resource<HealthData>; reload: () => void } {
  const { api } = useSession();
  const load = useCallback(async (): Promise<HealthData> => {
    const [history, failing, changes, schedule, channels] = await Promise.all([
      api.runHistory(orgId, { limit: HISTORY_RUNS }),
      api.failingUsers(orgId),
      api.statusChanges(orgId, { limit: CHANGES_LIMIT }),
      api.monitoringSchedule(orgId),
      api.alertChannels(orgId),
    ]);
    return { history: history.items, failing: failing.items, changes: changes.items, schedule, channels };
  }, [api, orgId]);
  return useResource(load);
}
