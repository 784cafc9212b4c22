import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { connectHost } from "./office/connectHost";

// Office.onReady is awaited exactly once, here; everything below receives the host it resolved.
async function start(container: HTMLElement): Promise<void> {
  const { host, preview } = await connectHost();
  createRoot(container).render(
    <StrictMode>
      <App host={host} preview={preview} />
    </StrictMode>,
  );
}

const container = document.getElementById("root");
if (!container) throw new Error("taskpane.html has no #root element");
start(container).catch((error: unknown) => {
  container.textContent = "Sync Sidebar could not start. Reload the pane; if this persists, contact your admin.";
  console.error("Sync Sidebar failed to start", error);
});
