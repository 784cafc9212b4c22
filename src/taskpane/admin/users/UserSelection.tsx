/**
 * Row selection in the Users list and the bulk "Move to profile" of the selected users: a checkbox per row, one that
 * selects every user on the page (mixed when some are), and the move through POST …/users/move-profile, all or none.
 */
import {
  Button,
  Checkbox,
  Field,
  Select,
  TableCell,
  TableHeaderCell,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useCallback, useMemo, useState } from "react";
import type { OrgUserDto } from "../../../contract/api";
import type { ConnectionProfileListItemDto } from "../../../contract/profiles";
import { useSession } from "../../auth/SessionProvider";
import { useAction } from "../../hooks/useAction";
import { FailureMessage } from "../FailureMessage";

const useStyles = makeStyles({
  cell: { width: "2rem", paddingLeft: 0, paddingRight: 0 },
  bar: {
    display: "flex",
    flexWrap: "wrap",
    alignItems: "end",
    gap: tokens.spacingHorizontalS,
    padding: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorNeutralBackground2,
    borderRadius: tokens.borderRadiusMedium,
    minWidth: 0,
  },
  target: { flexGrow: 1, minWidth: "min(100%, 10rem)" },
});

/** Which users of the page are selected; only those on the page count, so a page change cannot move unseen users. */
export function useUserSelection(users: readonly OrgUserDto[]) {
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const selected = useMemo(() => users.filter((user) => chosen.has(user.id)), [users, chosen]);
  const toggle = useCallback((userId: string, on: boolean) => {
    setChosen((current) => {
      const next = new Set(current);
      if (on) next.add(userId);
      else next.delete(userId);
      return next;
    });
  }, []);
  const setAll = useCallback(
    (on: boolean) => setChosen(on ? new Set(users.map((user) => user.id)) : new Set()),
    [users],
  );
  const clear = useCallback(() => setChosen(new Set()), []);
  const all: boolean | "mixed" = selected.length === 0 ? false : selected.length === users.length ? true : "mixed";
  return { selected, isSelected: (userId: string) => chosen.has(userId), toggle, setAll, clear, all };
}

export type UserSelection = ReturnType<typeof useUserSelection>;

/** The header's checkbox: every user on this page. */
export function SelectAllHeaderCell({ selection, disabled }: { selection: UserSelection; disabled: boolean }) {
  const styles = useStyles();
  return (
    <TableHeaderCell role="columnheader" className={styles.cell}>
      <Checkbox
        aria-label="Select all users on this page"
        checked={selection.all}
        disabled={disabled}
        onChange={(_, data) => selection.setAll(data.checked === true)}
      />
    </TableHeaderCell>
  );
}

export function SelectUserCell({ selection, user }: { selection: UserSelection; user: OrgUserDto }) {
  const styles = useStyles();
  return (
    <TableCell role="cell" className={styles.cell}>
      <Checkbox
        aria-label={`Select ${user.email}`}
        checked={selection.isSelected(user.id)}
        onChange={(_, data) => selection.toggle(user.id, data.checked === true)}
      />
    </TableCell>
  );
}

/** "2 selected · Move to [Cloud] · Move to profile": shown while users are selected. */
export function BulkProfileMove({
  orgId,
  profiles,
  selection,
  onMoved,
}: {
  orgId: string;
  profiles: ConnectionProfileListItemDto[];
  selection: UserSelection;
  /** Announces the outcome and reloads the list and the profiles' counts. */
  onMoved: (announcement: string) => void;
}) {
  const styles = useStyles();
  const { api } = useSession();
  const [target, setTarget] = useState(profiles[0]?.id ?? "");
  const move = useAction((userIds: string[], profileId: string | null) =>
    api.moveUsersToProfile(orgId, userIds, profileId),
  );
  // The last move's outcome stays in view once its selection is cleared.
  const [outcome, setOutcome] = useState("");
  const count = selection.selected.length;
  if (count === 0) {
    if (move.error !== null) return <FailureMessage error={move.error} />;
    return outcome === "" ? null : (
      <Text role="status" data-testid="bulk-move-outcome">
        {outcome}.
      </Text>
    );
  }

  const submit = async () => {
    const profileId = target === "" ? null : target;
    const moved = await move.run(
      selection.selected.map((user) => user.id),
      profileId,
    );
    if (!moved.ok) return;
    const users = `${moved.value.moved} user${moved.value.moved === 1 ? "" : "s"}`;
    const name = profiles.find((profile) => profile.id === profileId)?.name;
    const done =
      profileId === null
        ? `${users} now follow${moved.value.moved === 1 ? "s" : ""} the placement`
        : `Moved ${users} to ${name ?? "the chosen profile"}`;
    setOutcome(done);
    selection.clear();
    onMoved(done);
  };

  return (
    <div className={styles.bar} role="group" aria-label="Selected users">
      <Text weight="semibold">{count} selected</Text>
      <Field label="Move to" className={styles.target}>
        <Select value={target} onChange={(_, data) => setTarget(data.value)}>
          {profiles.map((profile) => (
            <option key={profile.id} value={profile.id}>
              {profile.name}
            </option>
          ))}
          <option value="">Follow placement</option>
        </Select>
      </Field>
      <Button appearance="primary" disabled={move.pending} onClick={() => void submit()}>
        {move.pending ? "Moving…" : "Move to profile"}
      </Button>
      <Button disabled={move.pending} onClick={selection.clear}>
        Clear selection
      </Button>
      {move.error !== null && <FailureMessage error={move.error} />}
    </div>
  );
}
