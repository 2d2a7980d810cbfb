/**
 * Issue 14: two bot processes on one Postgres and one real gateway, the Telegram channel on long polling
 * against the fake Bot API (which answers overlapping getUpdates with 409, as Telegram does). One process
 * holds the deployment's lease and polls; the other stands by. Killed, stopped or restarted, the
 * deployment goes on: every message answered once, in order, and the fake sees no 409 storm.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgres } from "../../scripts/postgres-server.ts";
import { alice, aliceDm } from "../channels/telegram/support/harness.ts";
import { FakeDiscord, ids } from "../fakes/fake-discord.ts";
import { FakeTelegram } from "../fakes/fake-telegram.ts";
import { startE2eGateway } from "./harness/e2e-context.ts";
import { type FakeModel, HOLD_FIRST_CHUNK, startFakeModel } from "./harness/fake-model.ts";
import type { Gateway } from "./harness/gateway.ts";
import { freePort } from "./harness/processes.ts";
import { type BotProcess, startBotProcess } from "./support/bot-process.ts";
import { sleep, until } from "./support/waits.ts";

/** `until`, with the wait's name and limit after the probe. */
function waitUntil<T>(probe: () => T | undefined | false, options: { what: string; timeoutMs?: number }): Promise<T> {
  return until(options.what, probe, options.timeoutMs ?? 30_000);
}

const ACTIVE = /"active: this process holds the deployment's lease"/;
const STANDBY = /"standby: another bot process is active/;

describe("several bot processes on Postgres (real gateway, Telegram long polling, Discord)", () => {
  let model: FakeModel;
  let gateway: Gateway;
  let postgres: PostgresServer;
  let dir: string;
  let tg: FakeTelegram;
  let dc: FakeDiscord;
  let storeUrl: string;
  const bots: BotProcess[] = [];
  let databases = 0;

  beforeAll(async () => {
    model = await startFakeModel();
    [gateway, postgres] = await Promise.all([startE2eGateway(model, "multi-process"), startPostgres()]);
    dir = mkdtempSync(join(tmpdir(), "tk-multi-"));
  });

  afterEach(async () => {
    await Promise.all(bots.splice(0).map((bot) => bot.stop("SIGKILL")));
    await tg?.stop();
    await dc?.close();
  });

  afterAll(async () => {
    await gateway?.cleanup();
    await model?.close();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A new deployment: its own database and fake Telegram. */
  async function deployment(): Promise<void> {
    storeUrl = await postgres.database(`multi_${++databases}`);
    tg = await FakeTelegram.start();
    tg.addChat(aliceDm);
    dc = await FakeDiscord.start();
  }

  function start(name: string, extra: Record<string, string> = {}): BotProcess {
    const bot = startBotProcess(name, {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      STORE_URL: storeUrl,
      STORE_PATH: join(dir, name, "threads.json"),
      OPENCLAW_GATEWAY_URL: gateway.url,
      OPENCLAW_GATEWAY_TOKEN: gateway.token,
      DISCORD_BOT_TOKEN: dc.token,
      DISCORD_API_ROOT: dc.apiRoot,
      ALLOWED_USERS: `telegram:${alice.id},discord:${ids.alice}`,
      ...extra,
    });
    bots.push(bot);
    return bot;
  }

  /** The bot's messages in Alice's chat, as they read now. */
  const answers = () => tg.botMessages(aliceDm.id).map((m) => m.message.text ?? "");
  const count = (text: string) => answers().filter((answer) => answer === text).length;
  const conflicts = () => tg.calls.filter((call) => call.method === "getUpdates" && call.error?.code === 409).length;

  async function openThread(name: string): Promise<void> {
    tg.userMessage(aliceDm.id, alice, `/thread ${name}`);
    await waitUntil(() => answers().some((a) => a.includes("Created thread")), {
      what: "the thread",
      timeoutMs: 30_000,
    });
  }

  /** Sends `texts` one after another and waits until each has its echo. */
  async function expectEchoes(texts: readonly string[], timeoutMs = 60_000): Promise<void> {
    await waitUntil(() => texts.every((text) => count(`ECHO: ${text}`) >= 1), { what: "every echo", timeoutMs });
  }

  it("only the active process polls; SIGKILL mid-turn → the standby polls within 10 s, every answer once, in order", async () => {
    await deployment();
    const a = start("a");
    await a.waitForLog(ACTIVE);
    const b = start("b");
    await b.waitForLog(STANDBY);
    await openThread("failover");
    await sleep(3_000);
    expect(conflicts()).toBe(0);
    // Discord likewise: one gateway connection, the active process's.
    expect(dc.gateway.readySessions).toBe(1);
    expect(tg.calls.filter((c) => c.method === "getMe").length).toBeGreaterThanOrEqual(1);

    tg.userMessage(aliceDm.id, alice, "HOLD through the failover");
    await model.waitForHeld();
    await waitUntil(() => answers().some((text) => text.startsWith(HOLD_FIRST_CHUNK.trim())), {
      what: "the first chunk",
    });
    const killed = Date.now();
    await a.stop("SIGKILL");
    const during = ["during one", "during two", "during three"];
    for (const text of during) tg.userMessage(aliceDm.id, alice, text);
    model.release();
    await b.waitForLog(ACTIVE, { timeoutMs: 15_000 });
    const polled = await waitUntil(() => tg.calls.find((c) => c.method === "getUpdates" && c.at > killed && c.ok)?.at, {
      what: "the standby's first poll",
      timeoutMs: 15_000,
    });
    expect(polled - killed).toBeLessThan(10_000);
    const held = `${HOLD_FIRST_CHUNK}ECHO: HOLD through the failover`;
    await waitUntil(() => count(held) === 1, { what: "the held answer", timeoutMs: 60_000 });
    await expectEchoes(during);
    await sleep(2_000);
    expect(count(held)).toBe(1);
    for (const text of during) expect(count(`ECHO: ${text}`)).toBe(1);
    const order = answers().filter((text) => text.startsWith("ECHO: during"));
    expect(order).toEqual(during.map((text) => `ECHO: ${text}`));
    expect(model.requests.filter((r) => r.userText === "HOLD through the failover")).toHaveLength(1);
    expect(conflicts()).toBeLessThanOrEqual(1);

    // Discord is the new active process's now: one connection, and a DM thread works through it.
    await waitUntil(() => dc.gateway.readySessions === 1, { what: "b's Discord connection" });
    const opened = dc.slash({
      userId: ids.alice,
      dm: true,
      name: "thread",
      subcommand: "open",
      options: { name: "failover" },
    });
    await waitUntil(() => !opened.pendingDefer && opened.original?.content, { what: "the /thread reply on Discord" });
    dc.userMessage({ userId: ids.alice, dm: true, content: "discord after the failover" });
    const dm = dc.dmChannelId(ids.alice);
    const discordEchoes = () =>
      dc.messagesIn(dm).filter((m) => m.content === "ECHO: discord after the failover").length;
    await waitUntil(() => discordEchoes() === 1, { what: "the Discord echo", timeoutMs: 30_000 });
    await sleep(1_000);
    expect(discordEchoes()).toBe(1);
    expect(dc.gateway.readySessions).toBe(1);
  });

  it("rolling restart under steady traffic (SIGTERM one, start it, SIGTERM the other): 0 lost, 0 doubled", async () => {
    await deployment();
    const a = start("a");
    await a.waitForLog(ACTIVE);
    let b = start("b");
    await b.waitForLog(STANDBY);
    await openThread("rolling");
    const sent: string[] = [];
    let sending = true;
    const traffic = (async () => {
      for (let i = 1; sending; i++) {
        const text = `steady ${i}`;
        sent.push(text);
        tg.userMessage(aliceDm.id, alice, text);
        await sleep(400);
      }
    })();
    await sleep(2_000);
    const handedOver = Date.now();
    expect(await a.stop("SIGTERM")).toBe(0);
    await b.waitForLog(ACTIVE, { timeoutMs: 10_000 });
    // A released lease is taken at once, not after its expiry.
    expect(Date.now() - handedOver).toBeLessThan(8_000);
    const a2 = start("a2");
    await a2.waitForLog(STANDBY);
    await sleep(2_000);
    expect(await b.stop("SIGTERM")).toBe(0);
    await a2.waitForLog(ACTIVE, { timeoutMs: 10_000 });
    b = start("b2");
    await b.waitForLog(STANDBY);
    await sleep(2_000);
    sending = false;
    await traffic;
    await expectEchoes(sent);
    await sleep(2_000);
    for (const text of sent) expect(count(`ECHO: ${text}`), text).toBe(1);
    const echoed = answers().filter((text) => text.startsWith("ECHO: steady"));
    expect(echoed).toEqual(sent.map((text) => `ECHO: ${text}`));
    expect(conflicts()).toBeLessThanOrEqual(2);
  });

  it("Postgres restarted under the bot: nothing acknowledged is lost, and the bot carries on by itself", async () => {
    await deployment();
    const a = start("a");
    await a.waitForLog(ACTIVE);
    await a.waitForLog(/"gateway connected"/);
    await openThread("outage");
    await postgres.pause();
    tg.userMessage(aliceDm.id, alice, "while postgres is down");
    const update = tg.updates.pending().at(-1)?.update_id ?? 0;
    await sleep(3_000);
    // Not recorded, so not confirmed: Telegram keeps it and delivers it again.
    expect(tg.updates.confirmedOffset).toBeLessThanOrEqual(update);
    expect(count("ECHO: while postgres is down")).toBe(0);
    await postgres.resume();
    await expectEchoes(["while postgres is down"]);
    tg.userMessage(aliceDm.id, alice, "after postgres is back");
    await expectEchoes(["after postgres is back"]);
    await sleep(1_000);
    expect(count("ECHO: while postgres is down")).toBe(1);
    expect(tg.updates.confirmedOffset).toBeGreaterThan(update);
    expect(a.child.exitCode).toBeNull();
  });

  it("a gateway SIGKILL while two processes run: one interruption notice per turn, though it started on the other process", async () => {
    await deployment();
    const a = start("a");
    await a.waitForLog(ACTIVE);
    await a.waitForLog(/"gateway connected"/);
    const b = start("b");
    await b.waitForLog(STANDBY);
    await openThread("gateway-crash");
    const before = model.requests.length;
    tg.userMessage(aliceDm.id, alice, "HOLD started on a");
    await model.waitForHeld(30_000, before);
    // The turn runs on; its process hands over, then the gateway dies under the new active one.
    expect(await a.stop("SIGTERM")).toBe(0);
    await b.waitForLog(ACTIVE, { timeoutMs: 10_000 });
    await b.waitForLog(/"gateway connected"/);
    await sleep(1_000);
    await gateway.crash();
    await gateway.start();
    const notices = () => answers().filter((text) => text.includes("restart interrupted"));
    await waitUntil(() => notices().length > 0, { what: "the interruption notice", timeoutMs: 60_000 });
    await sleep(5_000);
    expect(notices()).toHaveLength(1);
    expect(b.child.exitCode).toBeNull();
  });

  it("webhooks, delivered to either process at random, 10 % twice: 200 messages over 20 threads, each answered once, in order", async () => {
    await deployment();
    const people = Array.from({ length: 20 }, (_, i) => ({ id: 201 + i, is_bot: false, first_name: `P${i}` }));
    for (const person of people) tg.addChat({ id: person.id, type: "private", first_name: person.first_name });
    const secret = "multi_process_secret";
    const ports = [await freePort(), await freePort()];
    const urls = ports.map((port) => `http://127.0.0.1:${port}/telegram/hook`);
    const webhook = (i: number) => ({
      TELEGRAM_WEBHOOK_URL: urls[0] ?? "",
      TELEGRAM_WEBHOOK_SECRET: secret,
      TELEGRAM_WEBHOOK_LISTEN: `127.0.0.1:${ports[i]}`,
      ALLOWED_USERS: people.map((person) => `telegram:${person.id}`).join(","),
    });
    const a = start("a", webhook(0));
    await a.waitForLog(ACTIVE);
    await a.waitForLog(/"gateway connected"/);
    const b = start("b", webhook(1));
    await b.waitForLog(STANDBY);
    await b.waitForLog(/"telegram: taking webhook updates"/);
    await waitUntil(() => tg.webhook.setting, { what: "setWebhook" });
    expect(tg.webhook.setting?.secretToken).toBe(secret);
    tg.webhook.options = { targets: urls, duplicateRate: 0.1 };
    const said = (chat: number) => tg.botMessages(chat).map((m) => m.message.text ?? "");

    for (const [i, person] of people.entries()) tg.userMessage(person.id, person, `/thread hooked ${i}`);
    await waitUntil(() => people.every((p) => said(p.id).some((text) => text.includes("Created thread"))), {
      what: "20 threads",
      timeoutMs: 60_000,
    });
    const texts = (i: number) => Array.from({ length: 10 }, (_, n) => `p${i} message ${n + 1}`);
    for (let n = 0; n < 10; n++) {
      for (const [i, person] of people.entries()) tg.userMessage(person.id, person, texts(i)[n] ?? "");
      await sleep(100);
    }
    const echoes = (i: number) => said(people[i]?.id ?? 0).filter((text) => text.startsWith(`ECHO: p${i} `));
    await waitUntil(() => people.every((_, i) => echoes(i).length >= 10), {
      what: "200 answers",
      timeoutMs: 150_000,
    });
    await sleep(2_000);
    for (const [i] of people.entries()) expect(echoes(i), `thread ${i}`).toEqual(texts(i).map((t) => `ECHO: ${t}`));
    // Both processes took deliveries, some updates came twice, and only the active one answered.
    const deliveries = tg.webhook.deliveries.filter((d) => d.status === 200);
    for (const url of urls)
      expect(
        deliveries.some((d) => d.url === url),
        url,
      ).toBe(true);
    const perUpdate = new Map<number, number>();
    for (const d of deliveries) perUpdate.set(d.updateId, (perUpdate.get(d.updateId) ?? 0) + 1);
    expect([...perUpdate.values()].filter((n) => n > 1).length).toBeGreaterThan(5);
    expect(b.log()).not.toMatch(ACTIVE);
  }, 300_000);
});
