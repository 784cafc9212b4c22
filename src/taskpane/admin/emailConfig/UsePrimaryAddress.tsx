import { Button, MessageBar, MessageBarBody, Text, makeStyles, tokens } from "@fluentui/react-components";
import type { CheckResultDto } from "../../../contract/checks";
import type { ApiClient } from "../../backend/client";
import { needsSignIn, useSession } from "../../auth/SessionProvider";
import { describeFailure } from "../../backend/errors";
import { sentences } from "../../backend/messages";
import { useAction } from "../../hooks/useAction";
import { FailureMessage } from "../FailureMessage";

const useStyles = makeStyles({
  box: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: tokens.spacingHorizontalS },
  text: { overflowWrap: "anywhere" },
});

/** Why the replacement stopped, in the admin's words (the server's own failures stay ApiErrors). */
export class ReplacementError extends Error {
  override name = "ReplacementError";
}

/** The organization's user that now has the primary address, in place of the alias. */
export interface Replacement {
  userId: string;
  email: string;
}

/**
 * The users API keeps a user's address fixed, so the alias's entry is replaced: the primary address is added with
 * the same name and role, then the alias's entry is removed. Added first, so a failure never loses the user.
 */
export async function replaceWithPrimaryAddress(
  api: ApiClient,
  orgId: string,
  result: Pick<CheckResultDto, "userId" | "email" | "primarySmtpAddress">,
): Promise<Replacement> {
  const primary = result.primarySmtpAddress;
  if (!primary) throw new ReplacementError("This result names no primary address.");
  const page = await api.users(orgId, { search: result.email, limit: 50 });
  const alias = page.items.find((user) => user.id === result.userId);
  if (!alias) throw new ReplacementError(`${result.email} is no longer a user of this organization.`);
  const added = await api.addUser(orgId, { email: primary, displayName: alias.displayName, role: alias.role });
  try {
    await api.removeUser(orgId, alias.id);
  } catch (error) {
    if (needsSignIn(error)) throw error;
    throw new ReplacementError(
      sentences(`${primary} was added, but ${alias.email} could not be removed`, describeFailure(error).title) +
        " Remove it in the Users tab.",
    );
  }
  return { userId: added.id, email: added.email };
}

/** "Use the primary address" under a non_primary_address result; once done, "Re-check" that user. */
export function UsePrimaryAddress({
  orgId,
  result,
  replacement,
  onReplaced,
  onRecheck,
  recheckDisabled,
}: {
  orgId: string;
  result: CheckResultDto;
  /** Set once this result's alias was replaced (kept by the list, as rows come and go while scrolling). */
  replacement: Replacement | null;
  onReplaced: (replacement: Replacement) => void;
  /** Checks these users again with the configuration in view; absent where no check can start. */
  onRecheck?: ((userIds: string[]) => void) | undefined;
  recheckDisabled?: boolean;
}) {
  const styles = useStyles();
  const { api } = useSession();
  const replace = useAction(async () => {
    const done = await replaceWithPrimaryAddress(api, orgId, result);
    onReplaced(done);
    return done;
  });
  const primary = result.primarySmtpAddress;
  if (!primary) return null;

  if (replacement) {
    return (
      <div className={styles.box} data-testid="primary-address-done">
        <Text size={200} className={styles.text}>
          {replacement.email} is now the user, in place of {result.email} (same name and role).
        </Text>
        {onRecheck && (
          <Button size="small" onClick={() => onRecheck([replacement.userId])} disabled={recheckDisabled ?? false}>
            Re-check {replacement.email}
          </Button>
        )}
      </div>
    );
  }
  return (
    <div className={styles.box}>
      <Button size="small" appearance="primary" onClick={() => void replace.run()} disabled={replace.pending}>
        {replace.pending ? "Changing the address…" : "Use the primary address"}
      </Button>
      <Text size={200} className={styles.text}>
        Replaces {result.email} with {primary} in the organization&apos;s users.
      </Text>
      {replace.error instanceof ReplacementError ? (
        <MessageBar intent="error" role="alert" layout="multiline">
          <MessageBarBody>{replace.error.message}</MessageBarBody>
        </MessageBar>
      ) : (
        replace.error !== null && <FailureMessage error={replace.error} />
      )}
    </div>
  );
}
