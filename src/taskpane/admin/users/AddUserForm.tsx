import { Button, Field, Input, Select, makeStyles, tokens } from "@fluentui/react-components";
import { useState, type FormEvent } from "react";
import type { NewOrgUserInput, Role } from "../../../contract/api";
import { emailAddressProblem } from "../../../contract/emailAddress";
import { allFieldsShown, fieldMessages } from "../../backend/errors";
import { useAction } from "../../hooks/useAction";
import { FailureMessage } from "../FailureMessage";
import { fieldState } from "../fieldState";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400 },
  row: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "end" },
  grow: { flexGrow: 1, minWidth: "12rem" },
});

/** The fields this form marks itself; a failure naming only these needs no banner. */
const FIELDS = ["email", "displayName", "role"] as const;
const marksAll = (error: unknown) => allFieldsShown(error, FIELDS);

/** Adds one user; the email field shows the server's reason (e.g. already a user) at the field. */
export function AddUserForm({ onAdd }: { onAdd: (user: NewOrgUserInput) => Promise<void> }) {
  const styles = useStyles();
  const add = useAction(onAdd);
  const [email, setEmail] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [role, setRole] = useState<Role>("user");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    add.reset();
    const problem = emailAddressProblem(email.trim());
    if (problem !== null) {
      setFieldErrors({ email: `Enter an email address, e.g. alex@contoso.com (this one ${problem}).` });
      return;
    }
    setFieldErrors({});
    const added = await add.run({
      email: email.trim(),
      role,
      ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
    });
    if (added.ok) {
      setEmail("");
      setDisplayName("");
      setRole("user");
    } else setFieldErrors(fieldMessages(added.error));
  };

  return (
    <form
      className={styles.form}
      onSubmit={(event) => void submit(event)}
      aria-labelledby="add-user-heading"
      noValidate
    >
      <h3 id="add-user-heading" className={styles.heading}>
        Add a user
      </h3>
      <div className={styles.row}>
        <Field label="Email" required className={styles.grow} {...fieldState(fieldErrors, "email")}>
          <Input type="email" value={email} onChange={(_, data) => setEmail(data.value)} />
        </Field>
        <Field label="Display name" className={styles.grow} {...fieldState(fieldErrors, "displayName")}>
          <Input value={displayName} onChange={(_, data) => setDisplayName(data.value)} />
        </Field>
        <Field label="Role" {...fieldState(fieldErrors, "role")}>
          <Select value={role} onChange={(_, data) => setRole(data.value as Role)}>
            <option value="user">User</option>
            <option value="admin">Admin</option>
          </Select>
        </Field>
        <Button type="submit" appearance="primary" disabled={add.pending}>
          {add.pending ? "Adding…" : "Add user"}
        </Button>
      </div>
      {add.error !== null && !marksAll(add.error) && <FailureMessage error={add.error} />}
    </form>
  );
}
