/**
 * /thread model and /thread usage (issue 13, slice h3) through the whole core on the fake gateway: the
 * catalog check, the buttons (only the asker, only while the same thread is bound), autocomplete of model
 * names, the usage line of /thread (never blocking) and /threads sort:cost (one sessions.usage call).
 */
import { describe, expect, it } from "vitest";
import { texts } from "../../src/core/texts.ts";
import { type BotUnderTest, sleep, startBot, USERS, until } from "./support/bot-harness.ts";

const A = "console:a";
const B = "console:b";
const GROUP = "telegram:-100";
function start() {
  return startBot();
}

function methods(world: BotUnderTest, from = 0): string[] {
  return world.gw.requests.slice(from).map((r) => r.method);
}

/** Runs `run`; asserts the store is unchanged and no sessions.patch reached the gateway. */
async function changesNothing<T>(world: BotUnderTest, run: () => Promise<T>): Promise<T> {
  const before = structuredClone(world.store.state);
  const from = world.gw.requests.length;
  const result = await run();
  await sleep(20);
  expect(world.store.state).toEqual(before);
  expect(methods(world, from)).not.toContain("sessions.patch");
  return result;
}

function oneLine(text: string | undefined): string {
  expect(text).toBeTruthy();
  expect(text).not.toContain("\n");
  return text ?? "";
}

function patchedModels(world: BotUnderTest): unknown[] {
  return world.gw.requestsOf("sessions.patch").map((r) => (r.params as { model?: string }).model);
}

describe("/thread model", () => {
  it("shows the thread's model and the catalog, with a button per model", async () => {
    const world = await start();
    await world.command(A, "/thread Budget");
    const reply = await world.command(A, "/thread model");
    expect(reply?.text).toBe(
      'Thread "Budget" runs on fake/echo-1.\nModels: fake/echo-1, fake/echo-2. Set one with /thread model <name>.',
    );
    expect(reply?.buttons?.map((b) => b.label)).toEqual(["✓ Echo 1", "Echo 2"]);
    for (const b of reply?.buttons ?? []) expect(Buffer.byteLength(b.data)).toBeLessThanOrEqual(64);
  });

  it("sets a model named by provider/id, id or display name (any case); the session key stays", async () => {
    const world = await start();
    await world.command(A, "/thread Budget");
    const key = world.store.state.threads.budget?.sessionKey;
    expect((await world.command(A, "/thread model fake/echo-2"))?.text).toBe(
      'Thread "Budget" now runs on fake/echo-2. The next message uses it; the session key stays the same.',
    );
    expect((await world.command(A, "/thread model ECHO 1"))?.text).toMatch(/now runs on fake\/echo-1\./);
    expect((await world.command(A, "/thread model echo-2"))?.text).toMatch(/now runs on fake\/echo-2\./);
    expect((await world.command(A, "/thread model echo-2"))?.text).toBe('Thread "Budget" already runs on fake/echo-2.');
    expect(patchedModels(world)).toEqual(["fake/echo-2", "fake/echo-1", "fake/echo-2"]);
    expect(world.store.state.threads.budget?.sessionKey).toBe(key);
    expect((await world.command(A, "/thread model"))?.text).toMatch(/^Thread "Budget" runs on fake\/echo-2\./);
  });

  it("bad input: an unknown or too long model, control characters, no thread here — one line, nothing changed", async () => {
    const world = await start();
    await world.command(A, "/thread Budget");
    const cases: [string, string | RegExp][] = [
      ["/thread model gpt-9", texts.unknownModel("gpt-9")],
      ["/thread model fake/echo-3", texts.unknownModel("fake/echo-3")],
      [`/thread model ${"m".repeat(201)}`, "Model names are at most 200 characters."],
      ["/thread model echo\u0007", "Model names have no control characters."],
    ];
    for (const [line, answer] of cases) {
      expect(oneLine((await changesNothing(world, () => world.command(A, line)))?.text)).toEqual(answer);
    }
    const from = world.gw.requests.length;
    expect(oneLine((await changesNothing(world, () => world.command(B, "/thread model echo-2")))?.text)).toBe(
      texts.noThreadHere,
    );
    expect(oneLine((await world.command(B, "/thread model"))?.text)).toBe(texts.noThreadHere);
    expect(methods(world, from)).toEqual([]);
  });

  it("'model' and 'usage' pick the subcommands: a thread named so is opened with /thread open", async () => {
    const world = await start();
    expect(oneLine((await world.command(A, "/thread Model Switch"))?.text)).toBe(texts.noThreadHere);
    expect((await world.command(A, "/thread open Model Switch"))?.text).toMatch(/^Created thread "Model Switch"/);
    expect((await world.command(A, "/thread usage"))?.text).toBe('Thread "Model Switch" has not used any tokens yet.');
  });

  it("a stranger is ignored without a gateway call; the gateway away is one line", async () => {
    const world = await start();
    await world.command(GROUP, "/thread Budget");
    const from = world.gw.requests.length;
    const stranger = await world.command(GROUP, "/thread model echo-2", { sender: USERS.stranger });
    expect(stranger).toBeUndefined();
    expect(methods(world, from)).toEqual([]);
    await world.gw.stop();
    await until(() => !world.client.connected, "the client to notice");
    expect(oneLine((await world.command(GROUP, "/thread model echo-2"))?.text)).toBe(texts.gatewayUnreachable);
  });

  it("a model button sets the model for the asker only, and only while the same thread is bound", async () => {
    const world = await start();
    await world.command(GROUP, "/thread Budget");
    const buttons = (await world.command(GROUP, "/thread model"))?.buttons ?? [];
    const echo2 = buttons.find((b) => b.label === "Echo 2")?.data ?? "";
    expect(await world.press(GROUP, echo2, { sender: USERS.admin })).toMatchObject({ text: texts.notYourPicker });
    expect(patchedModels(world)).toEqual([]);
    const pressed = await world.press(GROUP, echo2);
    expect(pressed.text).toMatch(/now runs on fake\/echo-2\.[\s\S]*\nModels: fake\/echo-1, fake\/echo-2\./);
    // The list comes back with the new ✓: Telegram and Discord put it in place of the pressed message.
    expect(pressed.buttons?.map((b) => b.label)).toEqual(["Echo 1", "✓ Echo 2"]);
    expect(patchedModels(world)).toEqual(["fake/echo-2"]);
    await world.command(GROUP, "/thread Other");
    expect(await world.press(GROUP, echo2)).toMatchObject({ text: texts.pickerOutOfDate });
    expect(patchedModels(world)).toEqual(["fake/echo-2"]);
    expect(await world.press(GROUP, "tk:model:garbage")).toMatchObject({ text: texts.unknownButton });
  });

  it("a model button from before a bot restart still works (its data is all it needs)", async () => {
    const world = await start();
    await world.command(GROUP, "/thread Budget");
    const data = (await world.command(GROUP, "/thread model"))?.buttons?.[1]?.data ?? "";
    await world.stop();
    const again = await startBot({ gw: world.gw, store: world.store });
    expect((await again.press(GROUP, data))?.text).toMatch(/now runs on fake\/echo-2\./);
    expect(patchedModels(again)).toEqual(["fake/echo-2"]);
  });

  it("Discord autocomplete offers model refs for the model param and thread names elsewhere", async () => {
    const world = await start();
    await world.command(A, "/thread Budget");
    const ask = (subcommand: string, param: string, query: string) =>
      world.bot.app.autocomplete({
        place: { conversation: A, direct: true },
        sender: { id: "console:tester" },
        command: "thread",
        subcommand,
        param,
        query,
      });
    expect(await ask("model", "name", "echo")).toEqual(["fake/echo-1", "fake/echo-2"]);
    expect(await ask("model", "name", "Echo 2")).toEqual(["fake/echo-2"]);
    expect(await ask("usage", "name", "bud")).toEqual(["Budget"]);
    expect(await ask("open", "name", "")).toEqual(["Budget"]);
  });
});

describe("/thread usage", () => {
  it("tells the thread's tokens and cost, and its last turn's", async () => {
    const world = await start();
    await world.command(A, "/thread Budget");
    expect((await world.command(A, "/thread usage"))?.text).toBe('Thread "Budget" has not used any tokens yet.');
    world.message(A, "hello");
    await world.says(A, "ECHO: hello");
    await world.command(A, "/thread model echo-2");
    world.message(A, "again please");
    await world.says(A, "ECHO: again please");
    // echo-1: 10 in + 3 out at $100/$200 per M; echo-2: 10 in + 5 out at $1000/$2000 per M.
    expect((await world.command(A, "/thread usage"))?.text).toBe(
      'Thread "Budget" has used 28 tokens, $0.0216 in all.\nIts last turn: 15 tokens, $0.0200.',
    );
  });

  it("names another thread only for admins; an unknown thread and no thread here are one line", async () => {
    const world = await start();
    await world.command(A, "/thread Budget");
    await world.command(GROUP, "/thread Other");
    expect(oneLine((await world.command(GROUP, "/thread usage Budget"))?.text)).toBe(texts.usageOfOthers);
    expect((await world.command(GROUP, "/thread usage Budget", { sender: USERS.admin }))?.text).toMatch(
      /^Thread "Budget"/,
    );
    expect((await world.command(GROUP, "/thread usage other"))?.text).toMatch(/^Thread "Other"/);
    expect(oneLine((await world.command(GROUP, "/thread usage Nope", { sender: USERS.admin }))?.text)).toBe(
      texts.unknownThread("Nope"),
    );
    expect(oneLine((await world.command(B, "/thread usage"))?.text)).toBe(texts.noThreadHere);
    expect(oneLine((await world.command(A, `/thread usage ${"n".repeat(101)}`))?.text)).toMatch(
      /at most 100 characters/,
    );
    expect(await world.command(GROUP, "/thread usage", { sender: USERS.stranger })).toBeUndefined();
  });
});

describe("/thread shows a usage line", () => {
  it("with the thread's usage, and without blocking when the gateway is slow or away", async () => {
    const world = await start();
    await world.command(A, "/thread Budget");
    world.message(A, "hello");
    await world.says(A, "ECHO: hello");
    // The first ask finds the transcript not counted yet (as OpenClaw does); the line does not wait for it.
    expect((await world.command(A, "/thread"))?.text).toContain(texts.usageLineCounting);
    expect((await world.command(A, "/thread"))?.text).toContain(
      "Usage: 13 tokens, $0.0016 in all; last turn 13 tokens, $0.0016.",
    );
    world.gw.fault("sessions.usage", { noReply: true });
    const started = Date.now();
    expect((await world.command(A, "/thread"))?.text).toContain(texts.usageUnavailable);
    expect(Date.now() - started).toBeLessThan(3_000);
    await world.gw.stop();
    await until(() => !world.client.connected, "the client to notice");
    expect((await world.command(A, "/thread"))?.text).toContain(texts.usageAway);
  });
});

describe("/threads sort:cost", () => {
  it("lists the costliest first from one sessions.usage call, and its page buttons keep the order", async () => {
    const world = await start();
    for (const [conversation, name, text] of [
      ["console:t1", "Cheap", "hi"],
      ["console:t2", "Dear", "a much longer message that costs more"],
      ["console:t3", "Idle", ""],
    ] as const) {
      await world.command(conversation, `/thread ${name}`);
      if (!text) continue;
      world.message(conversation, text);
      await world.says(conversation, `ECHO: ${text}`);
    }
    // The first ask finds the transcripts not counted yet (as OpenClaw does) and says so.
    expect((await world.command(A, "/threads sort:cost"))?.text).toContain(texts.costsCounting);
    const from = world.gw.requests.length;
    const reply = await world.command(A, "/threads sort:cost");
    const names = (reply?.text ?? "")
      .split("\n")
      .slice(1)
      .map((l) => l.split(" (")[0]);
    expect(names).toEqual(["• Dear", "• Cheap", "• Idle"]);
    expect(reply?.text).toContain("no cost yet");
    // Besides, the listing asks for the threads' recaps in the background (slice h4) and for OpenClaw's
    // archived rows, which it lists in their own section (slice h2).
    const asked = methods(world, from).filter((m) => m !== "sessions.activitySummary.ensure");
    expect(asked).toEqual(["sessions.usage", "sessions.list"]);
    expect(
      (await world.command(A, "/threads --cost d"))?.text
        ?.split("\n")
        .slice(1)
        .map((l) => l.split(" (")[0]),
    ).toEqual(["• Dear", "• Idle"]);
  });

  it("page buttons carry sort:cost; without the gateway the list is by activity and says so", async () => {
    const world = await start();
    for (let i = 0; i < 12; i++) await world.command(`console:p${i}`, `/thread t${i}`);
    const reply = await world.command(A, "/threads sort:cost");
    expect(reply?.buttons?.map((b) => b.data)).toEqual(["tk:page:1:sort:cost"]);
    const next = await world.press(A, reply?.buttons?.[0]?.data ?? "");
    expect(next.text).toMatch(/^Threads 11–12 of 12/);
    await world.gw.stop();
    await until(() => !world.client.connected, "the client to notice");
    expect((await world.command(A, "/threads sort:cost"))?.text).toContain(texts.costsUnavailable);
  });
});
