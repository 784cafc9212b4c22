import { Badge, Text, makeStyles, tokens } from "@fluentui/react-components";
import type { CheckPermissionDto } from "../../../contract/checks";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXS, minWidth: 0 },
  heading: { margin: 0, fontSize: tokens.fontSizeBase300 },
  list: {
    margin: 0,
    padding: 0,
    listStyle: "none",
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalXS,
  },
  name: { fontWeight: tokens.fontWeightSemibold, fontFamily: tokens.fontFamilyMonospace },
  text: { overflowWrap: "anywhere" },
});

/** Where the app holds it, or what to do: an RBAC grant shows in no API, so "missing" is only Entra ID's view. */
function explanation(entry: CheckPermissionDto): string {
  const via = entry.heldAs !== null && entry.heldAs !== entry.permission ? ` (as ${entry.heldAs})` : "";
  if (entry.state === "present" && entry.seenIn === "role_assignments") {
    const voids = entry.rbacRole === null ? "" : ", which voids the RBAC scope (see the warning above)";
    return `consented tenant-wide in Entra ID${via}${voids}.`;
  }
  if (entry.state === "present") return `in the app's token${via}.`;
  if (entry.rbacRole === null) return "grant it as an application permission with admin consent in Entra ID.";
  return `Entra ID shows none. Assign the "${entry.rbacRole}" role with RBAC for Applications; no API shows that grant, so each user's check proves it.`;
}

/** Every permission the check's depth needs, present or missing, in words (the badge colour only repeats them). */
export function PreflightPermissions({ permissions }: { permissions: readonly CheckPermissionDto[] }) {
  const styles = useStyles();
  return (
    <section className={styles.section} aria-labelledby="permissions-heading">
      <h4 id="permissions-heading" className={styles.heading}>
        Permissions the product needs
      </h4>
      <ul className={styles.list} aria-label="Permissions the product needs">
        {permissions.map((entry) => (
          <li key={entry.permission}>
            <Text size={200} className={styles.text}>
              <span className={styles.name}>{entry.permission}</span>{" "}
              <Badge appearance="tint" size="small" color={entry.state === "present" ? "success" : "warning"}>
                {entry.state === "present" ? "Present" : "Missing"}
              </Badge>{" "}
              — for {entry.usedFor}; {explanation(entry)}
            </Text>
          </li>
        ))}
      </ul>
    </section>
  );
}
