/**
 * Failover trials of the `postgres` section: two bot processes as `npm start` runs them (dist/, its Node
 * flags; test/e2e/support/bot-process.ts), Telegram on long polling against the fake Bot API and the
 * store on one Postgres database, talking to the in-process fake gateway (it echoes). One is active, the
 * other stands by. Each trial SIGKILLs the active one, at once sends a message, and times the kill →
 * the standby's answer posted (and → its first successful getUpdates); the killed one is then started
 * again as the new standby.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { silentLogger } from "../../src/core/log.ts";
import { openPool } from "../../src/store/postgres/index.ts";
import { type BotProcess, startBotProcess } from "../../test/e2e/support/bot-process.ts";
import { startFakeGateway } from "../../test/fakes/fake-gateway.ts";
import { type FakeChat, FakeTelegram, type FakeUser } from "../../test/fakes/fake-telegram.ts";
import { sleep, until } from "./stats.ts";

const ACTIVE = /"active: this process holds the deployment's lease"/;
const STANDBY = /"standby: another bot process is active/;
const alice: FakeUser = { id: 101, is_bot: false, first_name: "Alice", username: "alice" };
const dm: FakeChat = { id: 101, type: "private", first_name: "Alice" };

/** One trial: ms from the SIGKILL to the standby's answer, and to its first successful getUpdates. */
export interface Trial {
  /** Kill → the standby handled the message sent at the kill (its offset confirmed: handler done). */
  handledMs: number;
  /** Kill → the standby's answer to it shown in the chat. */
  answerMs: number;
  /** Kill → the standby's first successful getUpdates. */
  pollMs: number;
}

/** The trials, and how many answers the bot posted more than once over all of them. */
export interface Failovers {
  trials: Trial[];
  doubled: number;
  /** Kills that landed while the answered turn was still open in the store (its close not yet written). */
  openAtKill: number;
}

/** Open journal entries (turns not yet closed) in the deployment's database. */
async function openTurns(pool: pg.Pool): Promise<number> {
  const result = await pool.query<{ n: string }>("select count(*) as n from tk_records where kind = 'journal'");
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * Waits until every open turn has its answer's message id journaled: from then on a kill is one the
 * bot can recover from in place. (A kill before it, in the millisecond between Telegram taking the
 * message and the bot hearing its id, cannot be: nothing tells the next process that message exists.)
 */
async function answersJournaled(pool: pg.Pool, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await pool.query<{ n: string }>(
      "select count(*) as n from tk_records where kind = 'journal' and value->>'replyMessageId' is null",
    );
    if (Number(result.rows[0]?.n ?? 0) === 0) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** Runs `trials` failovers on the database at `storeUrl` (used by nothing else). */
export async function failoverTrials(storeUrl: string, trials: number): Promise<Failovers> {
  const dir = mkdtempSync(join(tmpdir(), "tk-bench-failover-"));
  const gw = await startFakeGateway();
  const tg = await FakeTelegram.start();
  tg.addChat(dm);
  const pool = openPool(storeUrl, silentLogger, 1);
  const bots: BotProcess[] = [];
  let started = 0;
  const start = (): BotProcess => {
    const name = `bot-${started++}`;
    const bot = startBotProcess(name, {
      ...{ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, ALLOWED_USERS: `telegram:${alice.id}` },
      ...{ STORE_URL: storeUrl, STORE_PATH: join(dir, name, "threads.json") },
      ...{ OPENCLAW_GATEWAY_URL: gw.url, OPENCLAW_GATEWAY_TOKEN: gw.token },
    });
    bots.push(bot);
    return bot;
  };
  const answered = (text: string) => tg.botMessages(dm.id).some((m) => m.message.text === text);
  try {
    let active = start();
    await active.waitForLog(ACTIVE, { timeoutMs: 60_000 });
    await active.waitForLog(/"gateway connected"/, { timeoutMs: 30_000 });
    tg.userMessage(dm.id, alice, "/thread failover bench");
    const made = () => tg.botMessages(dm.id).some((m) => m.message.text?.includes("Created thread"));
    await until(made, "the thread to be made", 30_000, 20);
    let standby = start();
    await standby.waitForLog(STANDBY, { timeoutMs: 60_000 });
    const results: Trial[] = [];
    let openAtKill = 0;
    for (let i = 0; i < trials; i++) {
      // The active one answers (so it polls) before it is killed.
      tg.userMessage(dm.id, alice, `before ${i}`);
      await until(() => answered(`ECHO: before ${i}`), `the answer before trial ${i}`, 30_000, 10);
      // Killed as soon as the answer shows and its message id is journaled, often before the turn is closed:
      // the standby then finishes that answer in the same message, never posting it again.
      await answersJournaled(pool, `the answer's message id before trial ${i}`);
      if ((await openTurns(pool)) > 0) openAtKill++;
      const killedAt = Date.now();
      active.child.kill("SIGKILL");
      tg.userMessage(dm.id, alice, `failover ${i}`);
      const updateId = tg.updates.pending().at(-1)?.update_id ?? 0;
      const handled = tg.waitForConfirmed(updateId).then(() => Date.now() - killedAt);
      await until(() => answered(`ECHO: failover ${i}`), `the standby's answer in trial ${i}`, 60_000, 5);
      const answerMs = Date.now() - killedAt;
      const poll = tg.calls.find((c) => c.method === "getUpdates" && c.ok && c.at > killedAt);
      results.push({ handledMs: await handled, answerMs, pollMs: poll ? poll.at - killedAt : Number.NaN });
      console.log(`postgres: failover ${i + 1}/${trials}: ${answerMs} ms`);
      await active.exited;
      await standby.waitForLog(ACTIVE, { timeoutMs: 1_000 });
      active = standby;
      standby = start();
      await standby.waitForLog(STANDBY, { timeoutMs: 60_000 });
      await sleep(500);
    }
    await sleep(1_000);
    return { trials: results, doubled: doubled(tg.botMessages(dm.id).map((m) => m.message.text ?? "")), openAtKill };
  } catch (error) {
    const texts = tg.botMessages(dm.id).map((m) => m.message.text ?? "");
    const logs = bots.map((bot) => `${bot.name}: ${bot.log().slice(-1500)}`).join("\n");
    throw new Error(`${String(error)}\nbot messages: ${JSON.stringify(texts.slice(-5))}\n${logs}`);
  } finally {
    await Promise.all(bots.map((bot) => bot.stop("SIGKILL")));
    await pool.end();
    await tg.stop();
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Answers (ECHO: …) that appear more than once among the bot's messages. */
function doubled(texts: readonly string[]): number {
  const seen = new Map<string, number>();
  for (const text of texts) if (text.startsWith("ECHO: ")) seen.set(text, (seen.get(text) ?? 0) + 1);
  return [...seen.values()].filter((n) => n > 1).length;
}
