/**
 * Issue 13, slice h4 (recaps, search, export) against the real gateway: sessions.activitySummary.ensure
 * (what OpenClaw needs to write a recap: a utility model, here the fake model, which answers the recap
 * prompt recognisably) and chat.history paging (offset from the newest, nextOffset, hasMore), the two
 * gateway calls the slice adds. One gateway for the file.
 */
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { namedKey } from "./harness/e2e-context.ts";
import { sendTurn } from "./harness/turns.ts";
import { useGatewaySuite } from "./support/suite.ts";
import { sleep } from "./support/waits.ts";

const observations: Record<string, unknown> = {};

describe("thread controls: recaps and export against the real gateway", () => {
  const suite = useGatewaySuite("recap", {
    configure: (config) => {
      const agents = config.agents as { defaults: Record<string, unknown> };
      // Without a utility model OpenClaw writes no recap (state "unavailable").
      agents.defaults.utilityModel = "fake/echo-1";
    },
  });

  it("probe: history rows with a tool call, paging, and a recap", async () => {
    const client = await suite.gateway.connect();
    try {
      const key = namedKey("probe");
      await client.request("sessions.create", { key, label: "Probe" });
      suite.model.when("run a tool", {
        kind: "tool",
        name: "exec",
        args: { command: "echo one" },
        finalText: "Ran it.",
      });
      await sendTurn(client, key, "hello one");
      await sendTurn(client, key, "run a tool please");
      await sendTurn(client, key, "hello three");
      observations.full = await client.request("chat.history", { sessionKey: key, limit: 100 });
      observations.page1 = await client.request("chat.history", { sessionKey: key, limit: 2 });
      const next = (observations.page1 as { nextOffset?: number }).nextOffset;
      observations.page2 = await client.request("chat.history", { sessionKey: key, limit: 2, offset: next ?? 2 });
      observations.ensure1 = await client.request("sessions.activitySummary.ensure", { sessions: [{ key }] });
      const deadline = Date.now() + 60_000;
      for (;;) {
        const r = await client.request<{ sessions: { activitySummary: { state: string; text?: string } }[] }>(
          "sessions.activitySummary.ensure",
          { sessions: [{ key }] },
        );
        observations.ensure2 = r;
        if (r.sessions[0]?.activitySummary.text || Date.now() > deadline) break;
        await sleep(500);
      }
      observations.list = await client.request("sessions.list", { includeActivitySummary: true, search: "probe" });
      observations.unknown = await client
        .request("sessions.activitySummary.ensure", { sessions: [{ key: namedKey("nobody-here") }] })
        .catch((e: unknown) => ({ error: String(e), details: (e as { error?: unknown }).error }));
      observations.requests = suite.model.requests.map((r) => ({ kind: r.kind, messages: r.messages.slice(0, 3) }));
    } finally {
      writeFileSync("/tmp/tk-h4-recap-probe.json", JSON.stringify(observations, null, 2));
      client.close();
    }
    expect(suite.model.unexpected()).toEqual([]);
  }, 120_000);
});
