/**
 * Issue 4's acceptance against the real gateway, through the console channel in child processes
 * (`node src/main.ts`, what `npm start` runs): a thread made in conversation A survives a bot restart and
 * is re-attached by another spelling in conversation B, whose next turn reaches the model with A's message.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startE2eGateway } from "./harness/e2e-context.ts";
import { type FakeModel, startFakeModel } from "./harness/fake-model.ts";
import type { Gateway } from "./harness/gateway.ts";
import { freePort } from "./harness/processes.ts";
import { type ConsoleBot, startConsoleBot } from "./support/console-bot.ts";

/** Types `/threads` until the listing matches: a streamed answer shows before its turn has closed. */
async function listUntil(bot: ConsoleBot, pattern: RegExp): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const from = bot.stdout().length;
    bot.type("/threads");
    const listing = await bot.waitFor(/Threads [\s\S]*?\n(?=bot>|$)/, { from });
    if (pattern.test(listing) || attempt >= 20) return void expect(listing).toMatch(pattern);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("console bot against the real gateway", () => {
  let model: FakeModel;
  let gateway: Gateway;
  let dir: string;
  let env: Record<string, string>;
  const bots: ConsoleBot[] = [];
  const start = (conversation: string, extra: Record<string, string> = {}) => {
    const bot = startConsoleBot({ conversation, env: { ...env, ...extra } });
    bots.push(bot);
    return bot;
  };

  afterEach(async () => {
    for (const bot of bots.splice(0)) if (bot.child.exitCode === null) await bot.kill();
  });

  beforeAll(async () => {
    model = await startFakeModel();
    gateway = await startE2eGateway(model, "console");
    dir = mkdtempSync(join(tmpdir(), "tk-console-"));
    env = {
      OPENCLAW_GATEWAY_URL: gateway.url,
      OPENCLAW_GATEWAY_TOKEN: gateway.token,
      STORE_PATH: join(dir, "threads.json"),
    };
  });

  afterAll(async () => {
    await gateway?.cleanup();
    await model?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates a thread in A, survives a bot restart, and re-attaches it from B with A's history", async () => {
    const a = start("A");
    await a.waitFor(/Type \/help/);
    a.type("/thread Budget Planning");
    await a.waitFor(/Created thread "Budget Planning" \(budget-planning\) here/, { timeoutMs: 30_000 });
    a.type("Plan my budget: rent 1200");
    await a.waitFor(/ECHO: Plan my budget: rent 1200/, { timeoutMs: 60_000 });
    await listUntil(a, /Budget Planning \(budget-planning\) — idle, .*1 msg, console:A/);
    expect(await a.quit()).toBe(0);

    const b = start("B");
    await b.waitFor(/Type \/help/);
    b.type("/thread budget_planning");
    await b.waitFor(/Attached thread "Budget Planning" \(budget-planning\) here/);
    const before = model.requests.length;
    b.type("And savings 300?");
    await b.waitFor(/ECHO: And savings 300\?/, { timeoutMs: 60_000 });
    const turn = model.requests.slice(before).find((r) => r.userText === "And savings 300?");
    const seen = (turn?.messages ?? []).map((m) => m.text).join("\n");
    expect(seen).toContain("Plan my budget: rent 1200");
    expect(seen).toContain("ECHO: Plan my budget: rent 1200");
    await listUntil(b, /budget-planning\) — idle, .*2 msg, console:A, console:B/);
    expect(await b.quit()).toBe(0);

    const client = await gateway.connect();
    const list = await client.request<{ sessions: { key: string; label?: string }[] }>("sessions.list", {
      label: "Budget Planning",
    });
    expect(list.sessions.map((s) => ({ key: s.key, label: s.label }))).toEqual([
      { key: "agent:main:named:budget-planning", label: "Budget Planning" },
    ]);
    await client.close();
  });

  it("a second terminal joins the running bot as its own conversation", async () => {
    const host = start("A");
    await host.waitFor(/Type \/help/);
    const guest = start("B");
    await guest.waitFor(/conversation console:B\. Type \/help/);
    guest.type("/thread budget planning");
    await guest.waitFor(/Attached thread "Budget Planning" \(budget-planning\) here/);
    guest.type("from the second terminal");
    await guest.waitFor(/ECHO: from the second terminal/, { timeoutMs: 60_000 });
    expect(host.stdout()).not.toContain("from the second terminal");
    expect(await guest.quit()).toBe(0);
    host.type("/thread");
    await host.waitFor(/Thread "Budget Planning" \(budget-planning\)/);
    expect(await host.quit()).toBe(0);
  });

  it("answers bad input with one line and refuses nothing it should keep", async () => {
    const bot = start("C");
    await bot.waitFor(/Type \/help/);
    const cases: [string, RegExp][] = [
      ["/thread main", /"main" is reserved/],
      [`/thread ${"x".repeat(101)}`, /at most 100 characters/],
      ["/nosuch", /Unknown command \/nosuch/],
      ["/help now", /\/help takes no arguments/],
      ["/thread agent:other:x", /Created thread "agent:other:x" \(agentotherx\)/],
      ["/thread Бюджет", /Created thread "Бюджет" \(t-4zsuewmfvc\)/],
    ];
    for (const [line, answer] of cases) {
      const from = bot.stdout().length;
      bot.type(line);
      await bot.waitFor(answer, { from });
    }
    expect(await bot.quit()).toBe(0);
  });

  it("starts with a clear message when no gateway answers, and keeps running", async () => {
    const closedPort = await freePort();
    const bot = start("D", {
      OPENCLAW_GATEWAY_URL: `ws://127.0.0.1:${closedPort}`,
      STORE_PATH: join(dir, "down.json"),
    });
    await bot.waitFor(/Type \/help/);
    const from = bot.stdout().length;
    bot.type("/thread offline-test");
    await bot.waitFor(/bot> The OpenClaw gateway is not reachable/, { from, timeoutMs: 20_000 });
    bot.type("/help");
    await bot.waitFor(/\/thread \[name\]/, { from });
    expect(bot.stderr()).toMatch(/does not answer/);
    expect(bot.stderr()).not.toMatch(/\n\s+at /); // no stack trace
    expect(await bot.quit()).toBe(0);
  });
});
