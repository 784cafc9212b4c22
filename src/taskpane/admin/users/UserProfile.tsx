/**
 * The Users tab's connection profiles: per user "Profile: Cloud (rule)" and why, a filter by profile, and the
 * per-user "Profile" choice (pin to a profile, or follow the placement: rules, Automatic, the default).
 */
import { Button, Field, Select, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useCallback } from "react";
import type { OrgUserDto } from "../../../contract/api";
import type { ConnectionProfileListItemDto } from "../../../contract/profiles";
import { useSession } from "../../auth/SessionProvider";
import { useResource } from "../../hooks/useResource";
import { PLACEMENT_SOURCE_WORDS } from "../profiles/profileText";

const useStyles = makeStyles({
  line: { display: "block", color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
  select: { maxWidth: "100%" },
  suggestion: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "center",
    columnGap: tokens.spacingHorizontalS,
    rowGap: tokens.spacingVerticalXXS,
    color: tokens.colorPaletteDarkOrangeForeground1,
    overflowWrap: "anywhere",
  },
});

/** The organization's profiles, for the filter and the choice; null while unknown (loading or failed). */
export function useOrgProfiles(orgId: string): {
  profiles: ConnectionProfileListItemDto[] | null;
  failed: boolean;
  reload: () => void;
} {
  const { api } = useSession();
  const load = useCallback(() => api.profiles(orgId), [api, orgId]);
  const { resource, reload } = useResource(load);
  return { profiles: resource.value?.items ?? null, failed: resource.status === "error", reload };
}

/** "Profile: Cloud (rule) — Rule: mail domain contoso.com"; the reason only where the word does not say it all. */
export function UserProfileLine({ user }: { user: OrgUserDto }) {
  const styles = useStyles();
  const { profileName, source, reason } = user.profile;
  const why = source === "rule" || source === "automatic" ? ` — ${reason}` : "";
  return (
    <Text size={200} className={styles.line} data-testid="user-profile">
      Profile: {profileName} ({PLACEMENT_SOURCE_WORDS[source]}){why}
    </Text>
  );
}

/** Only the users a profile checks; "" is every user. Shown when the organization has more than one profile. */
export function ProfileFilter({
  profiles,
  value,
  onChange,
}: {
  profiles: ConnectionProfileListItemDto[];
  value: string;
  onChange: (profileId: string) => void;
}) {
  return (
    <Field label="Profile">
      <Select value={value} onChange={(_, data) => onChange(data.value)}>
        <option value="">All profiles</option>
        {profiles.map((profile) => (
          <option key={profile.id} value={profile.id}>
            {profile.name}
          </option>
        ))}
      </Select>
    </Field>
  );
}

/** A user's explicit profile, or "" to follow the placement. */
export function ProfileSelect({
  user,
  profiles,
  disabled,
  onChoose,
}: {
  user: OrgUserDto;
  profiles: ConnectionProfileListItemDto[];
  disabled?: boolean;
  onChoose: (profileId: string | null) => void;
}) {
  const styles = useStyles();
  return (
    <Select
      size="small"
      className={styles.select}
      aria-label={`Profile of ${user.email}`}
      value={user.profile.explicitProfileId ?? ""}
      disabled={disabled ?? false}
      onChange={(_, data) => onChoose(data.value === "" ? null : data.value)}
    >
      <option value="">Follow placement</option>
      {profiles.map((profile) => (
        <option key={profile.id} value={profile.id}>
          {profile.name}
        </option>
      ))}
    </Select>
  );
}

/**
 * The user's latest check found the mailbox where another profile reaches it (moved to or from Exchange Online):
 * says which profile, with a one-click move. Nothing when there is no suggestion.
 */
export function SuggestedProfile({
  user,
  disabled,
  onMove,
}: {
  user: OrgUserDto;
  disabled?: boolean;
  onMove: (user: OrgUserDto) => void;
}) {
  const styles = useStyles();
  const { suggestedProfileId, suggestedProfileName } = user.profile;
  if (suggestedProfileId === null) return null;
  return (
    <span className={styles.suggestion} data-testid="user-suggested-profile">
      <Text size={200}>Mailbox found elsewhere: suggested profile {suggestedProfileName ?? "another profile"}</Text>
      <Button
        size="small"
        disabled={disabled ?? false}
        aria-label={`Move ${user.email} to the suggested profile ${suggestedProfileName ?? ""}`.trim()}
        onClick={() => onMove(user)}
      >
        Move to the suggested profile
      </Button>
    </span>
  );
}
