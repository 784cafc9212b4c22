import { X509Certificate, createPrivateKey } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Where office-addin-dev-certs keeps its files (its defaults module is not exported). */
export const DEV_CERT_DIR = path.join(os.homedir(), ".office-addin-dev-certs");
const CA_PATH = path.join(DEV_CERT_DIR, "ca.crt");
const CERT_PATH = path.join(DEV_CERT_DIR, "localhost.crt");
const KEY_PATH = path.join(DEV_CERT_DIR, "localhost.key");
const DAY_MS = 24 * 60 * 60 * 1000;

export interface DevCertificate {
  key: Buffer;
  cert: Buffer;
  ca: Buffer;
  /** Whether the CA is installed in the OS trust store (Outlook and browsers trust the dev server). */
  trusted: boolean;
}

/** True when the localhost certificate and key exist, match, and stay valid for at least another day. */
function usableCertificateFiles(): boolean {
  if (![CA_PATH, CERT_PATH, KEY_PATH].every((file) => existsSync(file))) return false;
  try {
    const certificate = new X509Certificate(readFileSync(CERT_PATH));
    const key = createPrivateKey(readFileSync(KEY_PATH));
    return certificate.checkPrivateKey(key) && Date.parse(certificate.validTo) - Date.now() > DAY_MS;
  } catch {
    return false;
  }
}

/** Installing the CA may prompt (sudo, keychain); only try where someone can answer or no prompt is needed. */
function canTryInstall(): boolean {
  if (process.platform === "win32" || process.platform === "darwin") return true;
  return process.getuid?.() === 0 || process.stdin.isTTY === true;
}

export function trustInstructions(reason: string): string {
  return [
    `The dev server uses HTTPS with the office-addin-dev-certs certificate, but its CA is not trusted here (${reason}).`,
    "Outlook refuses the pane and browsers warn until you trust it:",
    `  Windows / macOS: npx office-addin-dev-certs install`,
    `  Linux (system):  sudo cp ${CA_PATH} /usr/local/share/ca-certificates/office-addin-dev-certs.crt && sudo update-ca-certificates`,
    `  Linux (Chrome/Chromium use NSS): certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n "Office Add-in Dev CA" -i ${CA_PATH}`,
  ].join("\n");
}

/**
 * The HTTPS certificate for https://localhost:3000 from office-addin-dev-certs, generating it when missing or
 * expired and installing its CA where possible. When the CA cannot be installed the server still gets a certificate
 * and the developer is told how to trust it.
 */
export async function loadDevCertificate(log: (message: string) => void = console.warn): Promise<DevCertificate> {
  const devCerts = await import("office-addin-dev-certs");
  let regenerated = false;
  if (!usableCertificateFiles()) {
    await devCerts.generateCertificates();
    regenerated = true;
  }
  let trusted = false;
  let reason = "the CA is not installed";
  try {
    trusted = !regenerated && devCerts.isCaCertificateInstalled();
  } catch (error) {
    reason = `could not check the trust store: ${String(error)}`;
  }
  if (!trusted && canTryInstall()) {
    try {
      await devCerts.installCaCertificate();
      trusted = true;
    } catch (error) {
      reason = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    }
  } else if (!trusted) {
    reason = "installing it needs an interactive terminal";
  }
  if (!trusted) log(trustInstructions(reason));
  return { key: readFileSync(KEY_PATH), cert: readFileSync(CERT_PATH), ca: readFileSync(CA_PATH), trusted };
}
