/**
 * The lab's mail catcher: an SMTP server (smtp-server) on loopback that accepts any sender and recipient without
 * authentication or TLS and keeps the last messages in memory, so alert email can be seen end to end with no real
 * mail server (GET /lab/mail and the front page list them).
 */
import { SMTPServer } from "smtp-server";

export interface CaughtMail {
  id: number;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
}

const KEEP = 200;
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Unfolded headers of a message and its body, the body decoded when quoted-printable or base64. */
function parseMessage(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  let body = split < 0 ? "" : raw.slice(split).replace(/^\r?\n\r?\n/, "");
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoding = headers.get("content-transfer-encoding")?.toLowerCase();
  if (encoding === "quoted-printable") {
    const bytes = body
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    body = Buffer.from(bytes, "latin1").toString("utf8");
  } else if (encoding === "base64") {
    body = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  }
  return { headers, body: body.replace(/\r\n/g, "\n").trimEnd() };
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=), as nodemailer writes non-ASCII subjects. */
function decodeWords(value: string): string {
  return value.replace(/=\?utf-8\?([qb])\?([^?]*)\?=\s*/gi, (_match, kind: string, text: string) =>
    kind.toLowerCase() === "b"
      ? Buffer.from(text, "base64").toString("utf8")
      : Buffer.from(
          text
            .replace(/_/g, " ")
            .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          "latin1",
        ).toString("utf8"),
  );
}

export class MailCatcher {
  readonly messages: CaughtMail[] = [];
  private counter = 0;
  private readonly server: SMTPServer;

  constructor() {
    this.server = new SMTPServer({
      name: "lab.contoso.lab",
      banner: "Exchange lab mail catcher",
      authOptional: true,
      disabledCommands: ["AUTH", "STARTTLS"],
      size: MAX_MESSAGE_BYTES,
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          const { headers, body } = parseMessage(Buffer.concat(chunks).toString("utf8"));
          const from = session.envelope.mailFrom;
          this.messages.unshift({
            id: ++this.counter,
            receivedAt: new Date().toISOString(),
            from: from === false ? "" : from.address,
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            subject: decodeWords(headers.get("subject") ?? ""),
            text: body,
          });
          this.messages.splice(KEEP);
          callback();
        });
      },
    });
  }

  /** Listens on loopback; resolves with the port (0 picks a free one). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        const address = this.server.server.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
