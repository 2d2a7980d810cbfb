/**
 * Issue 13, slice h4 (recaps, search, export) against the real gateway, one gateway for the file:
 * - chat.history paging as the export walks it: `offset` counts rows back from the newest, the answer
 *   carries `nextOffset` / `hasMore` / `totalMessages`; tool calls are assistant `toolCall` parts and
 *   `toolResult` rows; /thread export of a real transcript (Markdown, JSON);
 * - sessions.activitySummary.ensure: what OpenClaw needs to write a recap (a utility model: here the fake
 *   model, which answers OpenClaw's recap prompt with `RECAP: …`), that it answers at once with the cached
 *   recap, refuses a whole batch for one unknown session, and recaps a child session too (a thread of
 *   RESUME_POLICY=confirm-child: sessions.create with parentSessionKey does not make it `spawnedBy`, which
 *   OpenClaw never recaps); /thread, /threads and /threads search show the recap.
 * What was found is written in docs/openclaw-agent-loop.md §6.
 */
import { describe, expect, it } from "vitest";
import { isBotError } from "../../src/core/errors.ts";
import type { TranscriptRow } from "../../src/core/recap-export-port.ts";
import { namedKey } from "./harness/e2e-context.ts";
import { useGatewaySuite } from "./support/suite.ts";
import { sleep, until } from "./support/waits.ts";

const HERE = "console:recap";

/** Asks `probe` every half second until it answers something truthy. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

describe("thread controls: recaps and export against the real gateway", () => {
  const suite = useGatewaySuite("recap", {
    configure: (config) => {
      const agents = config.agents as { defaults: Record<string, unknown> };
      // Without a utility model OpenClaw writes no recap.
      agents.defaults.utilityModel = "fake/echo-1";
    },
  });

  it("pages chat.history from the newest back and exports the transcript with its tool call", async () => {
    const b = await suite.startBot("export", "auto");
    // Not "Export me": the first word would pick the export subcommand.
    await b.command(HERE, "thread", "Paged");
    suite.model.when("run a tool", { kind: "tool", name: "exec", args: { command: "echo one" }, finalText: "Ran it." });
    const turns = [
      ["hello one", "ECHO: hello one"],
      ["run a tool please", "Ran it."],
      ["hello three", "ECHO: hello three"],
    ];
    for (const [text, answer] of turns) {
      await b.say(HERE, text ?? "");
      await until(`the answer to ${text}`, () => b.channel.in(HERE).some((m) => m.text === answer), 60_000);
    }
    const key = namedKey("paged");
    const rows: TranscriptRow[] = [];
    const offsets: (number | undefined)[] = [];
    let offset: number | undefined = 0;
    while (offset !== undefined) {
      const page = await b.client.historyPage({ sessionKey: key, limit: 3, offset });
      expect(page.totalMessages).toBe(8);
      rows.unshift(...page.rows);
      offsets.push(page.nextOffset);
      offset = page.nextOffset;
    }
    expect(offsets).toEqual([3, 6, undefined]);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rows.map((r) => r.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
      "toolResult",
      "assistant",
      "user",
      "assistant",
    ]);
    expect(rows[3]?.parts).toEqual([{ kind: "tool-call", name: "exec", arguments: { command: "echo one" } }]);
    expect(rows[4]).toMatchObject({ toolName: "exec", isError: false, parts: [{ kind: "text", text: "one" }] });
    expect(rows[0]?.senderIsOwner).toBe(true);

    const reply = await b.command(HERE, "thread", "export");
    expect(reply?.text).toBe('Exported 8 message(s) of "Paged" as thread-paged.md.');
    const markdown = new TextDecoder().decode(b.channel.in(HERE).find((m) => m.file)?.file?.bytes);
    expect(markdown).toContain(
      '<details><summary>Tool call: exec</summary>\n\n```json\n{\n  "command": "echo one"\n}\n```',
    );
    expect(markdown).toMatch(/<details><summary>Tool result: exec · [^<]+<\/summary>\n\n```\none\n```/);
    expect(markdown.indexOf("hello one")).toBeLessThan(markdown.indexOf("hello three"));

    await b.command(HERE, "thread", "export json");
    const json = b.channel
      .in(HERE)
      .filter((m) => m.file)
      .at(-1)?.file;
    const parsed = JSON.parse(new TextDecoder().decode(json?.bytes)) as { rows: { __openclaw: { seq: number } }[] };
    expect(parsed.rows.map((r) => r.__openclaw.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(suite.model.unexpected()).toEqual([]);
  });

  it("OpenClaw writes a recap with the utility model; /thread, /threads and search show it", async () => {
    const b = await suite.startBot("recaps", "auto");
    await b.command(HERE, "thread", "Recap me");
    await b.say(HERE, "book the flights to Lisbon");
    await until(
      "the answer",
      () => b.channel.in(HERE).some((m) => m.text === "ECHO: book the flights to Lisbon"),
      60_000,
    );
    // OpenClaw asks the utility model for a recap when a run ends, and again when ensure finds it stale.
    await suite.model.waitForRequest((r) => r.kind === "recap", 60_000);
    const key = namedKey("recap-me");
    const found = await eventually("a recap with the Lisbon turn", async () => {
      const summaries = await b.client.ensureActivitySummaries([key]);
      const summary = summaries.get(key);
      return summary?.text?.includes("Lisbon") ? summary : undefined;
    });
    expect(found.text).toMatch(/^RECAP: \d+ notes; last: /);
    expect(["current", "updating", "stale"]).toContain(found.state);

    const shown = await eventually("/thread with the recap", async () => {
      const reply = await b.command(HERE, "thread");
      return reply?.text.includes("Recap: RECAP:") ? reply.text : undefined;
    });
    expect(shown).toMatch(/\nRecap: RECAP: \d+ notes; last: .*Lisbon/);
    expect((await b.command(HERE, "threads"))?.text).toMatch(/• Recap me \(recap-me\).*\n {3}Recap: RECAP: /);
    expect((await b.command(HERE, "threads", "search lisbon"))?.text).toContain("• Recap me (recap-me)");

    // One unknown session fails the whole batch (the bot then asks one by one).
    const refused = await b.client.ensureActivitySummaries([key, namedKey("nobody-here")]).catch((e: unknown) => e);
    expect(isBotError(refused)).toBe(true);
    expect(String((refused as Error).message)).toBe("Session is unavailable.");
    expect(suite.model.unexpected()).toEqual([]);
  });

  it("a confirm-child thread (a child of the bot's root session) gets its recap too", async () => {
    const b = await suite.startBot("confirm-child", "confirm-child");
    await b.command(HERE, "thread", "Child");
    await b.say(HERE, "hello child");
    await until("the answer", () => b.channel.in(HERE).some((m) => m.text === "ECHO: hello child"), 60_000);
    const key = namedKey("child");
    const summary = await eventually("the child's recap", async () => {
      const found = (await b.client.ensureActivitySummaries([key])).get(key);
      return found?.text?.includes("hello child") ? found : undefined;
    });
    expect(summary.text).toMatch(/^RECAP: /);
  });
});
