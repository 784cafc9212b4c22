/**
 * Issue 27, item 4: a server with 10,000 room lists (or one that answers slowly) cannot make the EWS preflight
 * read them all, run for ever, or store thousands of steps: at most 50 lists are read, the rest summarized, the
 * time on rooms and on the whole preflight is bounded, and the steps kept are capped.
 */
import { describe, expect, it } from "vitest";
import type { ExchangeFetch } from "../../../../../src/server/exchange/transport.js";
import { createEwsDriver, EWS_PREFLIGHT_LIMITS } from "../../../../../src/server/exchange/drivers/ewsDriver.js";

const envelope = (body: string) =>
  `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ` +
  `xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" ` +
  `xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><s:Header>` +
  `<t:ServerVersionInfo MajorVersion="15" MinorVersion="1" Version="V2017_07_11"/></s:Header><s:Body>${body}</s:Body></s:Envelope>`;

const getFolder = envelope(
  `<m:GetFolderResponse><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="Success">` +
    `<m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:Folder><t:FolderId Id="AAA=" ChangeKey="B"/></t:Folder>` +
    `</m:Folders></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse>`,
);

const roomLists = (count: number) =>
  envelope(
    `<m:GetRoomListsResponse ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:RoomLists>` +
      Array.from(
        { length: count },
        (_, index) =>
          `<t:Address><t:Name>List ${index}</t:Name><t:EmailAddress>list${index}@contoso.com</t:EmailAddress></t:Address>`,
      ).join("") +
      `</m:RoomLists></m:GetRoomListsResponse>`,
  );

const rooms = envelope(
  `<m:GetRoomsResponse ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Rooms><t:Room><t:Id>` +
    `<t:Name>Room</t:Name><t:EmailAddress>room@contoso.com</t:EmailAddress></t:Id></t:Room></m:Rooms></m:GetRoomsResponse>`,
);

/** A hostile EWS server: `lists` room lists, each GetRooms answered after `roomsDelayMs`. */
function hostileEws(lists: number, roomsDelayMs = 0) {
  let getRooms = 0;
  const fetch: ExchangeFetch = async (_url, init) => {
    const body = init.body ?? "";
    const answer = (xml: string) => ({
      status: 200,
      headers: new Headers({ "content-type": "text/xml" }),
      body: new Blob([xml]).stream(),
    });
    if (init.method === "GET") return { status: 401, headers: new Headers(), body: null };
    if (body.includes("GetRoomLists")) return answer(roomLists(lists));
    if (body.includes("GetRooms")) {
      getRooms += 1;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, roomsDelayMs);
        init.signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new DOMException("aborted", "AbortError"));
        });
      });
      return answer(rooms);
    }
    return answer(getFolder);
  };
  return { fetch, getRooms: () => getRooms };
}

const driverFor = (fetch: ExchangeFetch, limits = {}) =>
  createEwsDriver({
    ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
    serverVersion: "Exchange2016",
    serviceAccount: "svc@contoso.com",
    credentials: { kind: "oauth", authorize: () => Promise.resolve({ ok: true, header: "Bearer t" }) },
    fetch,
    timeoutMs: 30_000,
    limits,
  });

describe("EWS preflight bounds", () => {
  it("reads at most 50 of 10,000 room lists and summarizes the rest in one step", async () => {
    const server = hostileEws(10_000);
    const report = await driverFor(server.fetch).preflight(new AbortController().signal);
    expect(report.canProceed).toBe(true);
    expect(server.getRooms()).toBe(EWS_PREFLIGHT_LIMITS.roomLists);
    expect(report.steps.filter((step) => step.step.startsWith("GetRooms "))).toHaveLength(50);
    expect(report.steps.at(-1)).toMatchObject({ step: "and 9,950 more room lists", ok: true });
    expect(report.steps.length).toBeLessThanOrEqual(EWS_PREFLIGHT_LIMITS.steps);
  });

  it("stops reading rooms when their time is spent, and the whole preflight at its bound", async () => {
    const slow = hostileEws(40, 200);
    const started = Date.now();
    const report = await driverFor(slow.fetch, { roomsMs: 500 }).preflight(new AbortController().signal);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(slow.getRooms()).toBeLessThan(5);
    expect(report.steps.at(-1)?.step).toMatch(/^and 3\d more room lists$/);
    expect(report.steps.at(-1)?.detail).toContain("spent on rooms ran out");

    const stalled = hostileEws(40, 60_000);
    const begun = Date.now();
    await driverFor(stalled.fetch, { preflightMs: 300 }).preflight(new AbortController().signal);
    expect(Date.now() - begun).toBeLessThan(2_000);
  });

  it("keeps at most the cap of steps, counting the rest in the last one", async () => {
    const report = await driverFor(hostileEws(30).fetch, { steps: 10 }).preflight(new AbortController().signal);
    expect(report.steps).toHaveLength(10);
    expect(report.steps.at(-1)).toMatchObject({ step: "and 25 more steps" });
  });
});
