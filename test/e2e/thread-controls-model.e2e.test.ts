/**
 * Issue 13, slice h3 (a thread's model and usage) against the real OpenClaw gateway, one gateway for the
 * file. Its config gives the fake provider two priced models (echo-1 at $100/$200 and echo-2 at
 * $1000/$2000 per million input/output tokens); the fake model reports 10 prompt tokens and
 * ceil(characters / 4) completion tokens per answer and records which model id OpenClaw asked for, so a
 * switch and every count is observable. Covers models.list, sessions.patch { model }, sessions.describe
 * and sessions.usage (docs/openclaw-model-usage.md has what they showed).
 */
import { afterEach, describe, expect, it } from "vitest";
import { texts } from "../../src/core/texts.ts";
import { namedKey } from "./harness/e2e-context.ts";
import type { RawClient } from "./harness/raw-client.ts";
import { type InProcessBot, startInProcessBot } from "./support/in-process-bot.ts";
import { useGatewaySuite } from "./support/suite.ts";
import { sleep, until } from "./support/waits.ts";

/** Prices the echo model and adds a second, dearer one. */
function twoPricedModels(config: Record<string, unknown>): void {
  const c = config as { models: { providers: { fake: { models: Record<string, unknown>[] } } } };
  const models = c.models.providers.fake.models;
  const first = models[0];
  if (!first) throw new Error("the harness config has no fake model");
  first.cost = { input: 100, output: 200, cacheRead: 0, cacheWrite: 0 };
  models.push({
    ...first,
    id: "echo-2",
    name: "Echo 2",
    cost: { input: 1000, output: 2000, cacheRead: 0, cacheWrite: 0 },
  });
}

/** Asks again (a second apart) until the answer is there: OpenClaw counts usage in the background. */
async function eventually(what: string, probe: () => Promise<string | undefined>, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1_000);
  }
}

describe("a thread's model and usage on the real gateway", () => {
  const suite = useGatewaySuite("model-usage", { configure: twoPricedModels });
  let bot: InProcessBot | undefined;
  let raw: RawClient | undefined;

  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
    raw?.close();
    raw = undefined;
  });

  async function startBot(name: string): Promise<InProcessBot> {
    bot = await startInProcessBot({
      gateway: suite.gateway,
      storePath: `${suite.dir}/${name}.json`,
      policy: "auto",
    });
    return bot;
  }

  async function turn(b: InProcessBot, conversation: string, text: string): Promise<void> {
    await b.say(conversation, text);
    // The first turn of a fresh gateway prepares the agent's workspace: slow on a loaded machine.
    await until(
      `the answer to "${text}" (shown: ${JSON.stringify(b.channel.in(conversation).map((m) => m.text))})`,
      () => b.channel.in(conversation).some((m) => m.text === `ECHO: ${text}`),
      90_000,
    ).catch((error: unknown) => {
      const shown = b.channel.in(conversation).map((m) => m.text);
      const asked = suite.model.requests.map((r) => `${r.kind}:${r.userText ?? ""}:${r.outcome}`);
      throw new Error(`${String(error)}; shown ${JSON.stringify(shown)}; model saw ${JSON.stringify(asked)}`);
    });
    await until("the turn to end", () => !b.bot.relay.isActive(b.store.state.bindings[conversation]?.slug ?? ""));
  }

  it("/thread model lists the catalog; a set model is the one the next turn asks for; unknown ones change nothing", async () => {
    const b = await startBot("model");
    await b.command("console:m", "thread", "Switcher");
    await turn(b, "console:m", "one");
    expect(suite.model.requests.findLast((r) => r.userText === "one")?.model).toBe("echo-1");

    const shown = await b.command("console:m", "thread", "model");
    expect(shown?.text).toBe(
      'Thread "Switcher" runs on fake/echo-1.\nModels: fake/echo-1, fake/echo-2. Set one with /thread model <name>.',
    );
    expect(shown?.buttons?.map((x) => x.label)).toEqual(["✓ Echo 1", "Echo 2"]);

    expect((await b.command("console:m", "thread", "model gpt-9"))?.text).toBe(texts.unknownModel("gpt-9"));
    expect((await b.command("console:m", "thread", "model echo-2"))?.text).toMatch(/now runs on fake\/echo-2\./);
    await turn(b, "console:m", "two");
    expect(suite.model.requests.findLast((r) => r.userText === "two")?.model).toBe("echo-2");

    // The button of echo-1 (from the list shown before the switch) switches back.
    expect((await b.press("console:m", shown?.buttons?.[0]?.data ?? ""))?.text).toMatch(/now runs on fake\/echo-1\./);
    await turn(b, "console:m", "three");
    expect(suite.model.requests.findLast((r) => r.userText === "three")?.model).toBe("echo-1");
    // The session key never changed.
    expect(b.store.state.threads.switcher?.sessionKey).toBe(namedKey("switcher"));
  });

  it("/thread usage, the /thread line and /threads sort:cost report the gateway's own counts", async () => {
    const b = await startBot("usage");
    await b.command("console:u", "thread", "Dear Thread");
    await b.command("console:u", "thread", "model echo-2");
    await turn(b, "console:u", "first"); // "ECHO: first": 10 + 3 tokens at echo-2 prices = $0.0160
    await turn(b, "console:u", "second one"); // "ECHO: second one": 10 + 4 tokens = $0.0180
    await b.command("console:c", "thread", "Cheap Thread");
    await turn(b, "console:c", "hi"); // echo-1: 10 + 2 tokens = $0.0014

    // OpenClaw counts a transcript in the background the first time it is asked (observed: about 2.5 s of
    // `cacheStatus: "refreshing"` with `usage: null`): the command asks again for up to 5 s.
    const usage = await b.command("console:u", "thread", "usage");
    expect(usage?.text).toBe(
      'Thread "Dear Thread" has used 27 tokens, $0.0340 in all.\nIts last turn: 14 tokens, $0.0180.',
    );
    const shown = await eventually("a counted usage line", async () => {
      const text = (await b.command("console:u", "thread"))?.text ?? "";
      return text.includes("Usage: 27 tokens") ? text : undefined;
    });
    expect(shown).toContain("Usage: 27 tokens, $0.0340 in all; last turn 14 tokens, $0.0180.");

    const listed = await eventually("counted costs", async () => {
      const text = (await b.command("console:u", "threads", "sort:cost"))?.text ?? "";
      return text.includes("$0.0014") ? text : undefined;
    });
    const rows = listed.split("\n").slice(1);
    expect(rows[0]).toMatch(/^• Dear Thread \(dear-thread\) — .*, \$0\.0340, /);
    expect(rows[1]).toMatch(/^• Cheap Thread \(cheap-thread\) — .*, \$0\.0014, /);
  });

  it("what the four methods answer for odd input (the facts the fake gateway copies)", async () => {
    raw = await suite.gateway.connect();
    const key = namedKey("odd-input");
    await raw.request("sessions.create", { key, label: "Odd input" });
    // sessions.patch takes a model id the catalog does not have: the bot must check the catalog itself.
    const patched = await raw.request("sessions.patch", { key, model: "fake/not-in-catalog" });
    expect(patched).toMatchObject({ ok: true, resolved: { modelProvider: "fake", model: "not-in-catalog" } });
    expect(await raw.request("sessions.describe", { key: namedKey("no-such-thread") })).toEqual({ session: null });
    await expect(raw.request("sessions.usage", { key: namedKey("no-such-thread"), range: "all" })).rejects.toThrow(
      /INVALID_REQUEST Invalid session reference/,
    );
    // A session that never ran: a row with usage null.
    const usage = (await raw.request("sessions.usage", { key, range: "all" })) as { sessions: { usage: unknown }[] };
    expect(usage.sessions).toMatchObject([{ usage: null }]);
    await expect(raw.request("sessions.usage", { key, range: "all", bogus: 1 })).rejects.toThrow(/INVALID_REQUEST/);
  });
});
