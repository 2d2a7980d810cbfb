/**
 * Issue 8, a session OpenClaw gives up on: three crashes at the moment its recovery run is admitted leave it
 * `restartRecoveryStatus: "tombstoned"` (docs/openclaw-recovery.md §4). The bot then offers Recover, which
 * moves the thread to the session `sessions.recover` creates; the thread's name reaches it from then on.
 */
import { describe, expect, it } from "vitest";
import { useGatewaySuite } from "./support/suite.ts";
import { sleep, until } from "./support/waits.ts";

const KEY = "agent:main:named:tombstone";

describe("a tombstoned thread (real gateway)", () => {
  const suite = useGatewaySuite("tombstone");

  /** Crashes the gateway the moment OpenClaw admits the recovery run of KEY (before it starts). */
  async function crashAtRecoveryAdmission(): Promise<void> {
    await suite.gateway.start();
    const watcher = await suite.gateway.connect();
    await watcher.request("sessions.subscribe", {});
    await watcher.waitForEvent(
      (e) => e.event === "sessions.changed" && e.payload.sessionKey === KEY && e.payload.reason === "send",
      30_000,
    );
    await suite.gateway.crash();
    await watcher.closed;
  }

  it("gets a notice with Recover; Recover continues it under the new key, which /thread then reaches", async () => {
    let bot = await suite.startBot("threads", "auto");
    const conversation = "console:tomb";
    expect((await bot.command(conversation, "thread", "Tombstone"))?.text).toMatch(/Created thread/);
    await bot.say(conversation, "HOLD the doomed task");
    await suite.model.waitForHeld();
    await sleep(500);
    await suite.stopBot(); // the bot comes back once OpenClaw has given up
    await suite.gateway.crash();
    for (let attempt = 0; attempt < 3; attempt++) await crashAtRecoveryAdmission();
    await suite.gateway.start();

    bot = await suite.startBot("threads", "auto");
    const b = bot;
    const notice = await until(
      "the Recover notice",
      () => b.channel.in(conversation).find((m) => m.text.includes("gave up")),
      30_000,
    );
    expect(notice.buttons.map((x) => x.label)).toEqual(["Recover"]);
    expect((await b.press(conversation, notice.buttons[0]?.data ?? "")).text).toMatch(/Recovering/);
    const shown = b.channel.in(conversation).length;
    const answer = await until(
      "the continuation's answer",
      () =>
        b.channel
          .in(conversation)
          .slice(shown)
          .find((m) => m.text.trim().length > 0),
      60_000,
    );
    expect(answer.text).not.toContain("restart interrupted");
    await until("the turn closes", () => Object.keys(b.store.state.journal).length === 0, 30_000);
    const moved = b.store.state.threads.tombstone?.sessionKey ?? "";
    expect(moved).not.toBe(KEY);
    expect(moved).toMatch(/^agent:main:/);

    const client = await suite.gateway.connect();
    const labelled = await client.request<{ sessions: { key: string }[] }>("sessions.list", { label: "Tombstone" });
    expect(labelled.sessions.map((s) => s.key)).toEqual([moved]);
    await client.close();

    expect((await b.command("console:elsewhere", "thread", "tombstone"))?.text).toMatch(/Attached thread "Tombstone"/);
    await b.say("console:elsewhere", "after recovery");
    await until(
      "the answer on the new session",
      () => b.channel.in("console:elsewhere").some((m) => m.text === "ECHO: after recovery"),
      60_000,
    );
    expect(b.store.state.threads.tombstone?.sessionKey).toBe(moved);
  });
});
