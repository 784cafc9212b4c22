import type { CurrentItem, MailPerson, MailboxUser } from "./mailboxHost";

/** One item of the browser preview's sample mailbox. */
export interface PreviewSample {
  id: string;
  /** What the developer sees in the preview switcher. */
  label: string;
  item: CurrentItem;
}

export const PREVIEW_USER: MailboxUser = { displayName: "Megan Bowen", emailAddress: "megan.bowen@contoso.example" };

/** The samples' own organization: its people move to the preview user's domain (the lab's, under `npm start`). */
const SAMPLE_DOMAIN = "@contoso.example";

/**
 * "Megan Bowen <megan.bowen@contoso.lab>" (what `npm start` passes as VITE_PREVIEW_MAILBOX) → the preview's
 * mailbox owner; anything else → null, and the preview keeps its built-in owner.
 */
export function parsePreviewUser(value: string | undefined): MailboxUser | null {
  const match = /^\s*([^<>]+?)\s*<([^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>\s*$/.exec(value ?? "");
  return match ? { displayName: match[1]!, emailAddress: match[2]! } : null;
}

/** The sample mailbox as seen by `user`: they own it, and the sample organization's colleagues share their domain. */
export function samplesFor(user: MailboxUser): readonly PreviewSample[] {
  const domain = user.emailAddress.slice(user.emailAddress.lastIndexOf("@"));
  const rehome = (person: MailPerson): MailPerson =>
    person.emailAddress === PREVIEW_USER.emailAddress
      ? user
      : { ...person, emailAddress: person.emailAddress.replace(SAMPLE_DOMAIN, domain) };
  return PREVIEW_SAMPLES.map((sample) =>
    sample.item.kind !== "message"
      ? sample
      : {
          ...sample,
          item: {
            ...sample.item,
            message: {
              ...sample.item.message,
              from: sample.item.message.from && rehome(sample.item.message.from),
              to: sample.item.message.to.map(rehome),
              cc: sample.item.message.cc.map(rehome),
            },
          },
        },
  );
}

const megan = { displayName: PREVIEW_USER.displayName, emailAddress: PREVIEW_USER.emailAddress };

/** Enough variety to exercise every state of the sidebar in a plain browser. */
export const PREVIEW_SAMPLES: readonly PreviewSample[] = [
  {
    id: "renewal",
    label: "Read: Contract renewal (Fabrikam)",
    item: {
      kind: "message",
      message: {
        mode: "read",
        subject: "Contract renewal for 2027",
        from: { displayName: "Adele Vance", emailAddress: "adele.vance@fabrikam.example" },
        to: [megan],
        cc: [
          { displayName: "Alex Wilber", emailAddress: "alex.wilber@contoso.example" },
          { displayName: "Lynne Robbins", emailAddress: "lynne.robbins@fabrikam.example" },
        ],
        itemId: "AAMkAGI2TG93AAA=",
        conversationId: "AAQkAGI2TG93conv1",
      },
    },
  },
  {
    id: "onboarding",
    label: "Read: Onboarding checklist (long names)",
    item: {
      kind: "message",
      message: {
        mode: "read",
        subject: "Onboarding checklist for the Northwind Traders regional operations and logistics team",
        from: {
          displayName: "Johanna Lorenz-Castellanos de la Fuente",
          emailAddress: "johanna.lorenz-castellanos@northwindtraders.example",
        },
        to: [
          megan,
          { displayName: "Diego Siciliani", emailAddress: "diego.siciliani@contoso.example" },
          { displayName: "Isaiah Langer", emailAddress: "isaiah.langer@contoso.example" },
        ],
        cc: [],
        itemId: "AAMkAGI2TG94AAA=",
        conversationId: "AAQkAGI2TG94conv2",
      },
    },
  },
  {
    id: "draft",
    label: "Compose: Reply draft (unsaved)",
    item: {
      kind: "message",
      message: {
        mode: "compose",
        subject: "RE: Quarterly review agenda",
        from: megan,
        to: [{ displayName: "Nestor Wilke", emailAddress: "nestor.wilke@contoso.example" }],
        cc: [{ displayName: "Pradeep Gupta", emailAddress: "pradeep.gupta@contoso.example" }],
        itemId: null,
        conversationId: "AAQkAGI2TG95conv3",
      },
    },
  },
  {
    id: "meeting",
    label: "Meeting request (not a message)",
    item: { kind: "unsupported", itemType: "appointment" },
  },
  {
    id: "none",
    label: "Nothing selected (pinned pane)",
    item: { kind: "none" },
  },
];
