import { CheckPanel } from "../emailConfig/CheckPanel";
import { useCheckRun, useRunEnded } from "../emailConfig/useCheckRun";

/**
 * The organization-wide check of a hybrid organization: every user through their own connection profile, each profile
 * with its saved configuration and its own service account or app, side by side (one group run). A run already under
 * way (a scheduled one, another admin's) is followed instead of refused.
 */
export function ProfilesCheck({ orgId, onRunEnd }: { orgId: string; onRunEnd?: () => void }) {
  const control = useCheckRun(orgId, null);
  useRunEnded(control.run, onRunEnd);
  return (
    <CheckPanel
      group
      orgId={orgId}
      accessType=""
      control={control}
      configNote=""
      onStart={(userIds) => void control.start(undefined, userIds ? { userIds } : undefined)}
    />
  );
}
