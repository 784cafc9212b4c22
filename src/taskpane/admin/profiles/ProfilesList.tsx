import { Badge, Button, Field, Input, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useCallback, useEffect, useId, useMemo, useState } from "react";
import type { ConnectionProfileListItemDto } from "../../../contract/profiles";
import { MAX_PROFILE_NAME_LENGTH } from "../../../contract/profiles";
import { useSession } from "../../auth/SessionProvider";
import { useAction } from "../../hooks/useAction";
import { useResource } from "../../hooks/useResource";
import { FailureMessage } from "../FailureMessage";
import { useHiddenStyles } from "../styles";
import { accessTypeText, deleteRefusal, lastCheckText, nameError, usersText } from "./profileText";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", rowGap: "8px" },
  item: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalXXS,
    padding: tokens.spacingVerticalS,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    minWidth: 0,
  },
  title: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  name: { fontWeight: tokens.fontWeightSemibold, overflowWrap: "anywhere" },
  detail: { color: tokens.colorNeutralForeground2, overflowWrap: "anywhere" },
  row: { display: "flex", alignItems: "flex-end", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  grow: { flexGrow: 1, minWidth: "10rem" },
  refusal: { color: tokens.colorPaletteRedForeground1 },
});

/** Add or rename: one name field with its Save and Cancel; the server's verdict shows at the field. */
function NameForm({
  label,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  label: string;
  initial: string;
  submitLabel: string;
  /** Resolves with null when saved, else with the failure. */
  onSubmit: (name: string) => Promise<unknown>;
  onCancel: () => void;
}) {
  const styles = useStyles();
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  return (
    <form
      className={styles.row}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (name.trim() === "") {
          setError("Enter a name.");
          return;
        }
        setError(null);
        setFailure(null);
        void onSubmit(name.trim()).then((refused) => {
          if (refused === null) return;
          // A verdict on the name shows at the field; anything else below the form.
          const atField = nameError(refused);
          if (atField !== null) setError(atField);
          else setFailure(refused);
        });
      }}
    >
      <Field
        className={styles.grow}
        label={label}
        {...(error ? { validationState: "error" as const, validationMessage: error } : {})}
      >
        <Input
          value={name}
          maxLength={MAX_PROFILE_NAME_LENGTH}
          // The form opens on a click: the name field is where the admin goes next.
          autoFocus
          onChange={(_, data) => setName(data.value)}
          onKeyDown={(event) => event.key === "Escape" && onCancel()}
        />
      </Field>
      <Button type="submit" appearance="primary">
        {submitLabel}
      </Button>
      <Button type="button" onClick={onCancel}>
        Cancel
      </Button>
      {failure !== null && <FailureMessage error={failure} />}
    </form>
  );
}

type Editing = { kind: "add" } | { kind: "rename"; id: string } | { kind: "delete"; id: string } | null;

/**
 * The organization's connection profiles: name, access type, users, last check, the default marked; add, rename,
 * delete (the server's refusal in words, at the profile) and set as default. One profile reads as a single line.
 */
export function ProfilesList({
  orgId,
  onDefaultChanged,
  openProfileId = null,
  onOpen,
  openBlocked = null,
  onProfiles,
  reloadKey = 0,
}: {
  orgId: string;
  /** Read the list again whenever this changes (a check ended: each profile's last check moved on). */
  reloadKey?: number;
  onDefaultChanged?: (profile: ConnectionProfileListItemDto) => void;
  /** The profile the Email Configuration form shows (null: the default). */
  openProfileId?: string | null;
  /** Opens a profile in the form; absent, the list has no Open buttons. */
  onOpen?: (profile: ConnectionProfileListItemDto) => void;
  /** Why another profile cannot be opened now (unsaved changes in the form); null when it can. */
  openBlocked?: string | null;
  /** Every load of the list (the form needs the default's id and whether there are several). */
  onProfiles?: (profiles: ConnectionProfileListItemDto[]) => void;
}) {
  const styles = useStyles();
  const hidden = useHiddenStyles();
  const headingId = useId();
  const { api } = useSession();
  const load = useCallback(() => api.profiles(orgId), [api, orgId]);
  const { resource, reload } = useResource(load);
  useEffect(() => {
    if (reloadKey > 0) reload();
  }, [reloadKey, reload]);
  const [editing, setEditing] = useState<Editing>(null);
  const [announcement, setAnnouncement] = useState("");
  /** A refusal shown at the profile it is about (delete, rename, set default). */
  const [refusal, setRefusal] = useState<{ id: string; text: string } | null>(null);
  const action = useAction((perform: () => Promise<unknown>) => perform());

  const done = (text: string) => {
    setEditing(null);
    setRefusal(null);
    setAnnouncement(text);
    reload();
  };

  const profiles = useMemo(() => resource.value?.items ?? [], [resource.value]);
  useEffect(() => {
    if (resource.value) onProfiles?.(resource.value.items);
  }, [resource.value, onProfiles]);
  const isOpen = (profile: ConnectionProfileListItemDto) =>
    openProfileId === null ? profile.isDefault : profile.id === openProfileId;
  const submitName = async (profile: ConnectionProfileListItemDto | null, name: string): Promise<unknown> => {
    const result = await action.run(() =>
      profile ? api.renameProfile(orgId, profile.id, profile.version, name) : api.addProfile(orgId, name),
    );
    if (!result.ok) return result.error;
    done(profile ? `“${profile.name}” is now “${name}”` : `Profile “${name}” added`);
    return null;
  };

  const remove = async (profile: ConnectionProfileListItemDto) => {
    const result = await action.run(() => api.deleteProfile(orgId, profile.id));
    if (result.ok) done(`Profile “${profile.name}” deleted`);
    else {
      setEditing(null);
      setRefusal({ id: profile.id, text: deleteRefusal(result.error) });
    }
  };

  const makeDefault = async (profile: ConnectionProfileListItemDto) => {
    const result = await action.run(() => api.setDefaultProfile(orgId, profile.id));
    if (result.ok) {
      done(`“${profile.name}” is now the default profile`);
      onDefaultChanged?.(profile);
    } else setRefusal({ id: profile.id, text: deleteRefusal(result.error) });
  };

  const nameForm = (profile: ConnectionProfileListItemDto | null) => (
    <NameForm
      label={profile ? `New name for “${profile.name}”` : "Name of the new profile"}
      initial={profile?.name ?? ""}
      submitLabel={profile ? "Save name" : "Add"}
      onSubmit={(name) => submitName(profile, name)}
      onCancel={() => setEditing(null)}
    />
  );

  const addButton = (
    <Button size="small" onClick={() => setEditing({ kind: "add" })} aria-expanded={editing?.kind === "add"}>
      Add profile
    </Button>
  );

  return (
    <section className={styles.section} aria-labelledby={headingId}>
      <h2 id={headingId} className={styles.heading}>
        Connection profiles
      </h2>
      {resource.status === "error" && <FailureMessage error={resource.error} onRetry={reload} />}
      {resource.status === "loading" && resource.value === null && (
        <Text aria-live="polite">Loading the connection profiles…</Text>
      )}
      {profiles.length === 1 && (
        <div className={styles.row}>
          <Text data-testid="single-profile">One profile: {profiles[0]!.name}</Text>
          {addButton}
        </div>
      )}
      {profiles.length > 1 && (
        <>
          <ul className={styles.list} aria-labelledby={headingId}>
            {profiles.map((profile) => (
              <li key={profile.id} className={styles.item} aria-label={profile.name}>
                <span className={styles.title}>
                  <Text className={styles.name}>{profile.name}</Text>
                  {profile.isDefault && (
                    <Badge appearance="tint" color="brand">
                      Default
                    </Badge>
                  )}
                  {onOpen && isOpen(profile) && (
                    <Badge appearance="outline" color="informative" data-testid="open-profile">
                      In the form below
                    </Badge>
                  )}
                </span>
                <Text size={200} className={styles.detail}>
                  {accessTypeText(profile)}
                </Text>
                <Text size={200} className={styles.detail}>
                  {usersText(profile.userCount)} · {lastCheckText(profile)}
                </Text>
                {editing?.kind === "rename" && editing.id === profile.id ? (
                  nameForm(profile)
                ) : editing?.kind === "delete" && editing.id === profile.id ? (
                  <div className={styles.row} role="group" aria-label={`Delete “${profile.name}”?`}>
                    <Text>Delete “{profile.name}”?</Text>
                    <Button size="small" appearance="primary" onClick={() => void remove(profile)}>
                      Delete
                    </Button>
                    <Button size="small" onClick={() => setEditing(null)}>
                      Keep
                    </Button>
                  </div>
                ) : (
                  <div className={styles.row}>
                    {onOpen && !isOpen(profile) && (
                      <Button
                        size="small"
                        appearance="primary"
                        aria-label={`Open “${profile.name}”`}
                        disabledFocusable={openBlocked !== null}
                        {...(openBlocked === null ? {} : { title: openBlocked })}
                        onClick={() => {
                          onOpen(profile);
                          setAnnouncement(`The form below shows “${profile.name}”`);
                        }}
                      >
                        Open
                      </Button>
                    )}
                    <Button
                      size="small"
                      aria-label={`Rename “${profile.name}”`}
                      onClick={() => setEditing({ kind: "rename", id: profile.id })}
                    >
                      Rename
                    </Button>
                    {!profile.isDefault && (
                      <>
                        <Button
                          size="small"
                          aria-label={`Set as default: “${profile.name}”`}
                          onClick={() => void makeDefault(profile)}
                        >
                          Set as default
                        </Button>
                        <Button
                          size="small"
                          aria-label={`Delete “${profile.name}”`}
                          onClick={() => setEditing({ kind: "delete", id: profile.id })}
                        >
                          Delete
                        </Button>
                      </>
                    )}
                  </div>
                )}
                {refusal?.id === profile.id && (
                  <Text role="alert" size={200} className={styles.refusal} data-testid="profile-refusal">
                    {refusal.text}
                  </Text>
                )}
              </li>
            ))}
          </ul>
          {onOpen && openBlocked !== null && (
            <Text size={200} className={styles.detail} data-testid="open-blocked">
              {openBlocked}
            </Text>
          )}
          <div>{addButton}</div>
        </>
      )}
      {editing?.kind === "add" && nameForm(null)}
      <div aria-live="polite" className={hidden.visuallyHidden}>
        {announcement}
      </div>
    </section>
  );
}
