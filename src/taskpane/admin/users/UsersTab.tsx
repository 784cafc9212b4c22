import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import { useCallback, useEffect, useState } from "react";
import type { OrgUserDto, Page, Role, UserCheckStatus } from "../../../contract/api";
import { useSession } from "../../auth/SessionProvider";
import { useAction } from "../../hooks/useAction";
import { useResource } from "../../hooks/useResource";
import { FailureMessage } from "../FailureMessage";
import { useHiddenStyles } from "../styles";
import { AddUserForm } from "./AddUserForm";
import { BreakableAddress } from "../../components/BreakableAddress";
import { BulkImport } from "./BulkImport";
import { SidebarLine, SidebarReachFilter, useSidebarReachByUser } from "./SidebarReach";
import { ProfileFilter, ProfileSelect, SuggestedProfile, UserProfileLine, useOrgProfiles } from "./UserProfile";
import { BulkProfileMove, SelectAllHeaderCell, SelectUserCell, useUserSelection } from "./UserSelection";
import { STATUS_FILTERS, UserStatus } from "./UserStatus";

const PAGE_SIZE = 25;
/** A sidebar's width: rows stack their cells below this. */
const NARROW = "@media (max-width: 480px)";

const useStyles = makeStyles({
  tab: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalL, minWidth: 0 },
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
  table: { tableLayout: "auto", width: "100%" },
  email: { display: "block", overflowWrap: "anywhere", fontWeight: tokens.fontWeightSemibold },
  name: { display: "block", color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
  settings: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalXS,
    alignItems: "stretch",
    [NARROW]: { flexDirection: "row", flexWrap: "wrap", columnGap: tokens.spacingHorizontalS },
  },
  // In a sidebar (320 px) four columns leave the address a few letters wide: each row becomes the user on one line,
  // then their role, profile and Remove under it (the checkbox stays beside the user). Explicit roles keep the table's
  // semantics while its rows are laid out as grids.
  row: {
    [NARROW]: {
      display: "grid",
      gridTemplateColumns: "minmax(0, 1fr)",
      alignItems: "start",
      // Fluent's cells have a fixed height for one line: stacked, each grows with what it holds.
      "& > *": { height: "auto" },
    },
  },
  selectableRow: { [NARROW]: { gridTemplateColumns: "auto minmax(0, 1fr)" } },
  trailingCell: { [NARROW]: { gridColumn: "-2 / -1", paddingBottom: tokens.spacingVerticalS } },
  narrowHidden: {
    [NARROW]: {
      position: "absolute",
      width: "1px",
      height: "1px",
      margin: "-1px",
      overflow: "hidden",
      clipPath: "inset(50%)",
      whiteSpace: "nowrap",
    },
  },
  pager: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
});

/** Users: who belongs to the organization, searched and paged; add, remove, change role, bulk import. */
export function UsersTab({ orgId }: { orgId: string }) {
  const styles = useStyles();
  const hidden = useHiddenStyles();
  const { api, me } = useSession();
  const [searchText, setSearchText] = useState("");
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<UserCheckStatus | "">("");
  const [profileId, setProfileId] = useState("");
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [removing, setRemoving] = useState<OrgUserDto | null>(null);
  const [demoting, setDemoting] = useState<OrgUserDto | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const cursor = cursors[cursors.length - 1];
  const sidebarOf = useSidebarReachByUser(orgId);
  const orgProfiles = useOrgProfiles(orgId);
  // With one profile there is nothing to filter by or choose: each user's line still names it.
  const profiles = orgProfiles.profiles !== null && orgProfiles.profiles.length > 1 ? orgProfiles.profiles : null;
  const rowClass = mergeClasses(styles.row, profiles !== null && styles.selectableRow);

  useEffect(() => {
    // Search as the admin types, without a request per keystroke.
    const timer = setTimeout(() => {
      setSearch(searchText.trim());
      setCursors([undefined]);
    }, 300);
    return () => clearTimeout(timer);
  }, [searchText]);

  const load = useCallback(
    (): Promise<Page<OrgUserDto>> =>
      api.users(orgId, {
        limit: PAGE_SIZE,
        ...(search ? { search } : {}),
        ...(status ? { status } : {}),
        ...(profileId ? { profileId } : {}),
        ...(cursor ? { cursor } : {}),
      }),
    [api, orgId, search, status, profileId, cursor],
  );
  const { resource: page, reload } = useResource(load);

  const action = useAction(async (what: () => Promise<unknown>, done: string) => {
    await what();
    setAnnouncement(done);
    reload();
    // The profiles' user counts moved too.
    orgProfiles.reload();
  });
  const act = action.run;

  const changeRole = (user: OrgUserDto, role: Role) =>
    act(
      () => api.updateUser(orgId, user.id, { role }),
      `${user.email} is now ${role === "admin" ? "an admin" : "a user"}`,
    );

  const moveToProfile = (user: OrgUserDto, target: string | null) =>
    act(
      () => api.moveUsersToProfile(orgId, [user.id], target),
      target === null
        ? `${user.email} now follows the placement`
        : `${user.email} is now checked through ${profiles?.find((profile) => profile.id === target)?.name ?? "the chosen profile"}`,
    );

  const moveToSuggested = (user: OrgUserDto) =>
    act(
      () => api.moveToSuggested(orgId, { userIds: [user.id] }),
      `${user.email} is now checked through ${user.profile.suggestedProfileName ?? "the suggested profile"}`,
    );
  const moveAllToSuggested = () =>
    act(
      () => api.moveToSuggested(orgId, { all: true }),
      "Every user with a suggestion is now checked through their suggested profile",
    );

  const users = page.value?.items ?? [];
  const anySuggestion = users.some((user) => user.profile.suggestedProfileId !== null);
  // Rows are selected for the bulk "Move to profile", which only an organization with several profiles has.
  const selection = useUserSelection(users);
  // The whole organization is on screen (first page, no search, no next page): "last admin" can be told here.
  const wholeList = search === "" && cursors.length === 1 && page.value?.nextCursor === null;
  /** Why removing or demoting this admin needs a second thought: the last admin, or the admin's own account. */
  const adminWarning = (user: OrgUserDto): string | null => {
    if (user.role !== "admin") return null;
    if (wholeList && !users.some((other) => other.role === "admin" && other.id !== user.id)) {
      return `${user.email} is the organization's last administrator, and an organization must keep one: make another user an admin first.`;
    }
    if (me && user.email.toLowerCase() === me.email.toLowerCase()) {
      return "This is your own account: you will lose access to this organization's admin settings.";
    }
    return null;
  };
  const requestRole = (user: OrgUserDto, role: Role) => {
    if (role === "user" && adminWarning(user) !== null) setDemoting(user);
    else void changeRole(user, role);
  };
  return (
    <div className={styles.tab}>
      <section className={styles.section} aria-labelledby="users-heading">
        <h2 id="users-heading" className={styles.heading}>
          Users
        </h2>
        <Field label="Search users">
          <Input
            type="search"
            value={searchText}
            onChange={(_, data) => setSearchText(data.value)}
            placeholder="Email or name"
          />
        </Field>
        <SidebarReachFilter orgId={orgId} />
        <Field label="Status">
          <Select
            value={status}
            onChange={(_, data) => {
              setStatus(data.value as UserCheckStatus | "");
              setCursors([undefined]);
            }}
          >
            <option value="">All users</option>
            {STATUS_FILTERS.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </Select>
        </Field>
        {profiles && (
          <ProfileFilter
            profiles={profiles}
            value={profileId}
            onChange={(value) => {
              setProfileId(value);
              setCursors([undefined]);
            }}
          />
        )}
        {orgProfiles.failed && (
          <Text size={200}>The connection profiles could not be loaded: filtering and choosing by profile wait.</Text>
        )}
        {page.status === "error" && <FailureMessage error={page.error} onRetry={reload} />}
        {action.error !== null && <FailureMessage error={action.error} />}
        {anySuggestion && (
          <div>
            <Button disabled={action.pending} onClick={() => void moveAllToSuggested()}>
              Move all with a suggestion
            </Button>
          </div>
        )}
        {profiles && (
          <BulkProfileMove
            orgId={orgId}
            profiles={profiles}
            selection={selection}
            onMoved={(done) => {
              setAnnouncement(done);
              reload();
              orgProfiles.reload();
            }}
          />
        )}
        <Table className={styles.table} role="table" aria-label="Users of the organization" size="small">
          <TableHeader role="rowgroup">
            <TableRow role="row" className={rowClass}>
              {profiles && <SelectAllHeaderCell selection={selection} disabled={users.length === 0} />}
              <TableHeaderCell role="columnheader">User</TableHeaderCell>
              <TableHeaderCell role="columnheader" className={styles.narrowHidden}>
                {profiles ? "Role and profile" : "Role"}
              </TableHeaderCell>
              <TableHeaderCell role="columnheader" className={styles.narrowHidden}>
                <span className={hidden.visuallyHidden}>Actions</span>
              </TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody role="rowgroup">
            {users.map((user) => (
              <TableRow key={user.id} role="row" className={rowClass}>
                {profiles && <SelectUserCell selection={selection} user={user} />}
                <TableCell role="cell">
                  <span className={styles.email}>
                    <BreakableAddress address={user.email} />
                  </span>
                  <span className={styles.name}>{user.displayName}</span>
                  <SidebarLine sidebar={sidebarOf(user.id)} />
                  {/* Under the name, not in a column of its own: at 320 px a fourth column squeezes the address. */}
                  <UserStatus user={user} />
                  <UserProfileLine user={user} />
                  <SuggestedProfile user={user} disabled={action.pending} onMove={(one) => void moveToSuggested(one)} />
                </TableCell>
                <TableCell role="cell" className={styles.trailingCell}>
                  <div className={styles.settings}>
                    <Select
                      size="small"
                      aria-label={`Role of ${user.email}`}
                      value={user.role}
                      onChange={(_, data) => requestRole(user, data.value as Role)}
                    >
                      <option value="user">User</option>
                      <option value="admin">Admin</option>
                    </Select>
                    {profiles && (
                      <ProfileSelect
                        user={user}
                        profiles={profiles}
                        disabled={action.pending}
                        onChoose={(target) => void moveToProfile(user, target)}
                      />
                    )}
                  </div>
                </TableCell>
                <TableCell role="cell" className={styles.trailingCell}>
                  <Button size="small" aria-label={`Remove ${user.email}`} onClick={() => setRemoving(user)}>
                    Remove
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {page.status === "ready" && users.length === 0 && (
          <Text>
            {search || status || profileId
              ? `No user matches${search ? ` “${search}”` : ""}${status ? " this status" : ""}${profileId ? " this profile" : ""}.`
              : "No users yet: add one or import a list below."}
          </Text>
        )}
        {page.status === "loading" && <Text aria-live="polite">Loading users…</Text>}
        <div className={styles.pager}>
          <Button disabled={cursors.length <= 1} onClick={() => setCursors((stack) => stack.slice(0, -1))}>
            Previous page
          </Button>
          <Button
            disabled={!page.value?.nextCursor}
            onClick={() => {
              const next = page.value?.nextCursor;
              if (next) setCursors((stack) => [...stack, next]);
            }}
          >
            Next page
          </Button>
          <Text size={200}>Page {cursors.length}</Text>
        </div>
      </section>

      <AddUserForm
        onAdd={async (user) => {
          const created = await api.addUser(orgId, user);
          setAnnouncement(`${created.email} was added`);
          reload();
        }}
      />

      <BulkImport orgId={orgId} onImported={reload} />

      <div aria-live="polite" className={hidden.visuallyHidden}>
        {announcement}
      </div>

      <Dialog open={removing !== null} onOpenChange={(_, data) => !data.open && setRemoving(null)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Remove {removing?.email}?</DialogTitle>
            <DialogContent>
              They will no longer be synced through the organization, and their check results stop updating.
              {removing && adminWarning(removing) && (
                <Text block weight="semibold" data-testid="admin-warning">
                  {adminWarning(removing)}
                </Text>
              )}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={() => setRemoving(null)}>
                Keep
              </Button>
              <Button
                appearance="primary"
                onClick={() => {
                  const user = removing;
                  setRemoving(null);
                  if (user) void act(() => api.removeUser(orgId, user.id), `${user.email} was removed`);
                }}
              >
                Remove
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>

      <Dialog open={demoting !== null} onOpenChange={(_, data) => !data.open && setDemoting(null)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Make {demoting?.email} a user?</DialogTitle>
            <DialogContent>
              <Text block weight="semibold" data-testid="admin-warning">
                {demoting && adminWarning(demoting)}
              </Text>
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={() => setDemoting(null)}>
                Keep as admin
              </Button>
              <Button
                appearance="primary"
                onClick={() => {
                  const user = demoting;
                  setDemoting(null);
                  if (user) void changeRole(user, "user");
                }}
              >
                Make user
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </div>
  );
}
