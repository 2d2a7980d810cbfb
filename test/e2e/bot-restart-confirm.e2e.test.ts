/**
 * Issue 8 against the real gateway with RESUME_POLICY=confirm-child (the first confirm mechanism, `confirm` until
 * issue 15): threads are child sessions of the bot's root session, so OpenClaw does not re-run a crash-cut turn by
 * itself; the person resumes it. Also records what
 * such a child session keeps of a normal session (the README's "what confirm costs").
 */
import { describe, expect, it } from "vitest";
import { sendTurn } from "./harness/turns.ts";
import type { InProcessBot } from "./support/in-process-bot.ts";
import { crashMidAnswer, interruptionNotice, useGatewaySuite } from "./support/suite.ts";
import { sleep, until } from "./support/waits.ts";

interface Row {
  key: string;
  sessionId?: string;
  label?: string;
  parentSessionKey?: string;
  spawnDepth?: number;
}

describe("restarts under RESUME_POLICY=confirm-child (real gateway)", () => {
  const suite = useGatewaySuite("restart-confirm");

  const open = async (name: string, policy: "confirm-child" | "auto" = "confirm-child") => {
    const bot = await suite.startBot(name.toLowerCase().replace(/\s+/g, "-"), policy);
    const conversation = `console:${name.toLowerCase().replace(/\s+/g, "-")}`;
    expect((await bot.command(conversation, "thread", name))?.text).toMatch(/Created thread/);
    return { bot, conversation };
  };
  const texts = (b: InProcessBot, conversation: string) => b.channel.in(conversation).map((m) => m.text);
  const rows = async (params: Record<string, unknown>): Promise<Row[]> => {
    const client = await suite.gateway.connect();
    try {
      return (await client.request<{ sessions: Row[] }>("sessions.list", params)).sessions;
    } finally {
      await client.close();
    }
  };

  it("a confirm thread is a child of the root session and keeps listing, its label and tools", async () => {
    const { bot: b, conversation } = await open("Confirm Features");
    const [row] = await rows({ label: "Confirm Features" });
    expect(row).toMatchObject({
      key: "agent:main:named:confirm-features",
      parentSessionKey: "agent:main:threadkeeper:root",
      spawnDepth: 1,
    });
    await b.say(conversation, "hello child");
    await until("the echo", () => texts(b, conversation).includes("ECHO: hello child"), 60_000);
    const tools = suite.model.requests.at(-1)?.toolNames ?? [];
    expect(tools.length).toBeGreaterThan(0);
    // A normal (non-child) session of the same agent is offered exactly the same tools.
    const client = await suite.gateway.connect();
    await client.request("sessions.create", { key: "agent:main:named:plain-peer" });
    await sendTurn(client, "agent:main:named:plain-peer", "plain peer turn");
    await client.close();
    const plain = suite.model.requests.filter((r) => r.userText === "plain peer turn").at(-1)?.toolNames ?? [];
    expect([...tools].sort()).toEqual([...plain].sort());
    const tool =
      ["session_status", "sessions_list", "ls", "read"].find((name) => tools.includes(name)) ?? tools[0] ?? "";
    suite.model.when("use a tool", { kind: "tool", name: tool, args: {}, finalText: "Tool used." }, 1);
    await b.say(conversation, "use a tool please");
    await until("the tool answer", () => texts(b, conversation).includes("Tool used."), 60_000);
    await until(
      "the checkpoint",
      () => b.store.state.checkpoints["confirm-features"]?.lastToolCall?.name === tool,
      10_000,
    );
  });

  it("SIGKILL mid-answer: one Resume notice, nothing re-run until Resume, then one continuation with the history", async () => {
    const { bot: b, conversation } = await open("confirm-crash");
    await b.say(conversation, "first turn");
    await until("the first answer", () => texts(b, conversation).includes("ECHO: first turn"), 60_000);
    const [before] = await rows({ search: "confirm-crash" });
    await crashMidAnswer(suite, b, conversation, "plan the budget");
    const notice = await interruptionNotice(b, conversation);
    expect(notice.buttons.map((x) => x.label)).toEqual(["Resume"]);
    expect(notice.text).toContain("Task: HOLD plan the budget");
    const sinceCrash = suite.model.requests.length;
    await sleep(8_000); // OpenClaw's own recovery would have reached the model by now (seen at hello+4–7 s).
    expect(suite.model.requests.slice(sinceCrash)).toEqual([]);

    const resume = notice.buttons[0]?.data ?? "";
    expect((await b.press(conversation, resume)).text).toMatch(/Resuming/);
    const continuation = await suite.model.waitForRequest((r) => r.seq > sinceCrash && r.kind === "turn", 60_000);
    const seen = continuation.messages.map((m) => m.text).join("\n");
    expect(seen).toContain("ECHO: first turn");
    expect(continuation.userText).toContain("interrupted by a restart");
    expect(continuation.userText).toContain("HOLD plan the budget");
    await until(
      "the continuation's answer",
      () => texts(b, conversation).some((t) => t.startsWith("ECHO: Your previous turn")),
      60_000,
    );
    const [after] = await rows({ search: "confirm-crash" });
    expect(after?.key).toBe(before?.key);
    expect(after?.sessionId).toBe(before?.sessionId);

    const requests = suite.model.requests.length;
    expect((await b.press(conversation, resume)).text).toMatch(/already continued/);
    expect((await b.command(conversation, "resume"))?.text).toMatch(/Nothing to resume/);
    expect((await b.press("console:elsewhere", resume)).text).toMatch(/another conversation/);
    await sleep(1_000);
    expect(suite.model.requests.length).toBe(requests);
    expect(suite.model.requests.filter((r) => r.kind === "recovery")).toHaveLength(0);
  });
});
