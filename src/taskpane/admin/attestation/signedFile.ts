/** The file the admin downloads: the compact JWS re-written as the general JWS JSON serialization (one JSON document). */
import type { FetchedFile } from "../../backend/client";

export function signedJsonFile(jws: string, runId: string): FetchedFile {
  const [protectedHeader, payload, signature] = jws.split(".");
  const general = { payload, signatures: [{ protected: protectedHeader, signature }] };
  return {
    blob: new Blob([JSON.stringify(general, null, 2)], { type: "application/jose+json" }),
    filename: `access-attestation-${runId}.json`,
  };
}
