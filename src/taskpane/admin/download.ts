import type { FetchedFile } from "../backend/client";

/** Saves a file fetched with the bearer token (a plain link could not send the Authorization header). */
export function saveFile({ blob, filename }: FetchedFile): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.style.display = "none";
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
