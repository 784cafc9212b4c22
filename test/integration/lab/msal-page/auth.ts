// The popup's redirect page: hands the authorization response to the opener (MSAL v5 redirect bridge).
import { broadcastResponseToMainFrame } from "@azure/msal-browser/redirect-bridge";

void broadcastResponseToMainFrame();
