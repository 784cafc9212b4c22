import { useCallback } from "react";
import { useSession } from "../../../auth/SessionProvider";
import { useResource } from "../../../hooks/useResource";

const DELIVERIES_SHOWN = 20;

/** Each monitoring setting's data, one small hook apiece (the forms save through the session's client). */
export function useSchedule(orgId: string) {
  const { api } = useSession();
  return useResource(useCallback(() => api.monitoringSchedule(orgId), [api, orgId]));
}

export function useAlertSettings(orgId: string) {
  const { api } = useSession();
  return useResource(useCallback(() => api.alertSettings(orgId), [api, orgId]));
}

export function useAlertChannels(orgId: string) {
  const { api } = useSession();
  return useResource(useCallback(() => api.alertChannels(orgId), [api, orgId]));
}

export function useDeliveries(orgId: string) {
  const { api } = useSession();
  return useResource(useCallback(() => api.alertDeliveries(orgId, { limit: DELIVERIES_SHOWN }), [api, orgId]));
}
