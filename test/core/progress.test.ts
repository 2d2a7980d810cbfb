import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/store/index.ts";
import { startBot, startGateway, until } from "./support/bot-harness.ts";

const A = "console:a";
const B = "console:b";

describe("live progress of a turn", () => {
  it("one line per turn names each tool in turn, then becomes a one-line summary above the answer", async () => {
    const world = await startBot();
    await world.command(A, "/thread progress");
    await world.command(B, "/thread elsewhere");
    world.gw.model.next({
      text: "All three done.",
      tools: [
        { name: "exec", args: { command: "ls -la /srv" }, durationMs: 1_300 },
        { name: "read", args: { path: "/srv/notes.md" }, durationMs: 1_300 },
        { name: "web_search", args: { q: "budget 2027" }, durationMs: 1_300 },
      ],
    });
    await world.message(A, "do three things");
    await world.says(A, "All three done.", 15_000);
    const lines = world.shown(A, /tool call/);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    const steps = line?.edits ?? [];
    expect(steps.some((t) => t.includes("exec ls -la /srv"))).toBe(true);
    expect(steps.some((t) => t.includes("read /srv/notes.md"))).toBe(true);
    expect(steps.some((t) => t.includes("web_search budget 2027"))).toBe(true);
    expect(line?.text).toMatch(/^✓ 3 tool calls \(exec, read, web_search\) in \d+ s$/);
    // The progress line came first, the answer after it; the other conversation saw nothing.
    const messages = world
      .channelOf(A)
      .in(A)
      .map((m) => m.text);
    expect(messages.indexOf(line?.text ?? "")).toBeLessThan(messages.indexOf("All three done."));
    expect(world.shown(B, /tool call|All three/)).toEqual([]);
    await world.stop();
  });

  it("a turn without tool calls shows no progress line", async () => {
    const world = await startBot();
    await world.command(A, "/thread quiet");
    await world.message(A, "just talk");
    await world.says(A, "ECHO: just talk");
    expect(world.shown(A, /tool call/)).toEqual([]);
    await world.stop();
  });

  it("edits the line at most about once a second however fast tools come", async () => {
    const world = await startBot();
    await world.command(A, "/thread busy");
    const tools = Array.from({ length: 30 }, (_, i) => ({ name: `t${i}`, args: { n: String(i) }, durationMs: 50 }));
    world.gw.model.next({ text: "busy done", tools });
    await world.message(A, "many tools");
    await world.says(A, "busy done", 15_000);
    const [line] = world.shown(A, /tool call/);
    // About 1.5 s of tool calls: the first post, one or two edits, and the summary.
    expect(line?.edits.length).toBeLessThanOrEqual(5);
    expect(line?.text).toMatch(/^✓ 30 tool calls/);
    await world.stop();
  });

  it("a bot restart during a tool call: the next bot folds the same line into the summary", async () => {
    const gw = await startGateway();
    const store = new MemoryStore();
    const first = await startBot({ gw, store });
    await first.command(A, "/thread restart");
    gw.model.next({
      text: "Long tool done.",
      tools: [{ name: "exec", args: { command: "sleep 1" }, durationMs: 1_500 }],
    });
    await first.message(A, "run the long tool");
    const line = await until(() => first.shown(A, /tool call/)[0], "the progress line");
    await until(() => Object.values(store.state.journal)[0]?.progressMessageId === line.id, "its id journaled");
    first.bot.relay.release();
    await first.bot.stop();
    const second = await startBot({ gw, store });
    second.console.messages.push(line); // the platform still shows what the first bot posted
    await second.says(A, "Long tool done.", 10_000);
    await until(() => /^✓ 1 tool call \(exec\) in \d+ s$/.test(line.text), "the summary", 5_000);
    expect(second.shown(A, /tool call/)).toHaveLength(1);
  });
});
