/**
 * The lab's development CA and server certificate. The product keeps TLS verification on and trusts this CA
 * explicitly, reaching Microsoft's host names through a host-to-address override; so the server certificate names
 * loopback, the Microsoft endpoints and the scenario's domain.
 */
import { X509Certificate } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { generate } from "selfsigned";

export interface LabCertificates {
  caCertPem: string;
  caCertFile: string;
  serverKeyPem: string;
  serverCertPem: string;
  /** DNS names and addresses the server certificate is valid for. */
  names: string[];
}

export const MICROSOFT_HOSTS = ["outlook.office365.com", "login.microsoftonline.com", "graph.microsoft.com"];

export function serverNames(domain: string): string[] {
  return ["localhost", ...MICROSOFT_HOSTS, domain, `autodiscover.${domain}`, `mail.${domain}`];
}

const LOOPBACK_IPS = ["127.0.0.1", "::1"];

async function readIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return null;
  }
}

/** Writes through a temporary name so parallel lab starts sharing a folder never read half a file. */
async function writeAtomically(file: string, content: string, mode = 0o600): Promise<void> {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, content, { mode });
  await rename(temp, file);
}

function stillValid(pem: string, days: number): boolean {
  try {
    return new Date(new X509Certificate(pem).validTo).getTime() > Date.now() + days * 86_400_000;
  } catch {
    return false;
  }
}

function isSignedBy(certPem: string, caPem: string): boolean {
  try {
    return new X509Certificate(certPem).verify(new X509Certificate(caPem).publicKey);
  } catch {
    return false;
  }
}

async function loadOrCreateCa(dir: string): Promise<{ key: string; cert: string }> {
  const keyFile = path.join(dir, "ca-key.pem");
  const certFile = path.join(dir, "ca.pem");
  const [key, cert] = await Promise.all([readIfPresent(keyFile), readIfPresent(certFile)]);
  if (key && cert && stillValid(cert, 30)) return { key, cert };
  const now = Date.now();
  const ca = await generate([{ name: "commonName", value: "Sync Sidebar Exchange lab development CA" }], {
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate: new Date(now - 86_400_000),
    notAfterDate: new Date(now + 825 * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  await writeAtomically(keyFile, ca.private);
  await writeAtomically(certFile, ca.cert, 0o644);
  return { key: ca.private, cert: ca.cert };
}

/**
 * Loads the CA and a server certificate for the scenario's domain from `dir`, creating (or renewing) what is missing.
 * The CA is reused across domains so a browser or backend trusts it once.
 */
export async function ensureCertificates(dir: string, domain: string): Promise<LabCertificates> {
  await mkdir(dir, { recursive: true });
  const ca = await loadOrCreateCa(dir);
  const names = serverNames(domain);
  const keyFile = path.join(dir, `server-${domain}-key.pem`);
  const certFile = path.join(dir, `server-${domain}.pem`);
  let [serverKeyPem, serverCertPem] = await Promise.all([readIfPresent(keyFile), readIfPresent(certFile)]);
  if (!serverKeyPem || !serverCertPem || !stillValid(serverCertPem, 7) || !isSignedBy(serverCertPem, ca.cert)) {
    const now = Date.now();
    const server = await generate([{ name: "commonName", value: "localhost" }], {
      keySize: 2048,
      algorithm: "sha256",
      notBeforeDate: new Date(now - 86_400_000),
      notAfterDate: new Date(now + 397 * 86_400_000),
      ca,
      extensions: [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        {
          name: "subjectAltName",
          altNames: [
            ...names.map((value) => ({ type: 2 as const, value })),
            ...LOOPBACK_IPS.map((ip) => ({ type: 7 as const, ip })),
          ],
        },
      ],
    });
    serverKeyPem = server.private;
    serverCertPem = server.cert;
    await writeAtomically(keyFile, serverKeyPem);
    await writeAtomically(certFile, serverCertPem, 0o644);
  }
  return {
    caCertPem: ca.cert,
    caCertFile: path.join(dir, "ca.pem"),
    serverKeyPem,
    serverCertPem,
    names: [...names, ...LOOPBACK_IPS],
  };
}
