import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/env.ts";
import { texts } from "../../src/core/texts.ts";
import { chatSends, quiet, sleep, startBot, startGateway, tempDir, until } from "./support/bot-harness.ts";

/**
 * Issue 15: a store written by the previous version (commit 526df08, default `auto`; one thread made under `auto`,
 * one under the old `confirm`, a child session of the bot's root) opened by this version with its default policy.
 */
const FIXTURE = new URL("../store/fixtures/store-v2-526df08.json", import.meta.url);
const ROOT = "agent:main:threadkeeper:root";
const AUTO = { conversation: "console:a", key: "agent:main:named:made-under-auto", name: "Made Under Auto" };
const CHILD = { conversation: "console:b", key: "agent:main:named:made-under-confirm", name: "Made Under Confirm" };

async function previousVersionsStore() {
  const path = join(await tempDir(), "threads.json");
  await copyFile(FIXTURE, path);
  return path;
}

describe("a store from the previous version under this version's default policy", () => {
  it("the default is confirm", () => {
    expect(loadConfig({}).RESUME_POLICY).toBe("confirm");
  });

  it("both threads keep answering, both now wait for Resume after a crash, and each Resume continues once", async () => {
    const storePath = await previousVersionsStore();
    // The gateway still holds what the previous version made: an ordinary session, the root and its child.
    const gw = await startGateway({ recovery: { delayMs: 30, modelDelayMs: 300, readmitMs: 100 } });
    gw.store.create({ key: AUTO.key, label: AUTO.name });
    gw.store.create({ key: ROOT, label: "threadkeeper root (main)" });
    gw.store.create({ key: CHILD.key, label: CHILD.name, parentSessionKey: ROOT, spawnDepth: 1 });
    const world = await startBot({ gw, storePath, policy: loadConfig({}).RESUME_POLICY });
    for (const t of [AUTO, CHILD]) {
      await world.message(t.conversation, `still there, ${t.name}?`);
      await world.says(t.conversation, `ECHO: still there, ${t.name}?`);
      expect((await world.command(t.conversation, "/thread"))?.text).toContain("Resume policy: confirm");
    }
    expect(world.gw.requestsOf("sessions.create")).toEqual([]);
    await quiet(world);

    const gates = [AUTO, CHILD].map(() => world.gw.model.hold());
    for (const t of [AUTO, CHILD]) await world.message(t.conversation, `long task of ${t.name}`);
    await Promise.all(gates.map((g) => g.reached));
    const turnsBefore = world.gw.model.turns.length;
    await world.gw.crash();
    const notices = await Promise.all(
      [AUTO, CHILD].map((t) =>
        until(() => world.console.in(t.conversation).find((m) => m.text.includes("restart interrupted")), "notice"),
      ),
    );
    for (const notice of notices) {
      expect(notice.buttons.map((b) => b.label)).toEqual(["Resume"]);
      expect(notice.text).toContain("Resume policy: confirm — nothing continues until you say so.");
    }
    await world.bot.recovery.idle();
    await sleep(500); // past the fake re-run's admission and model time
    expect(world.gw.model.turns).toHaveLength(turnsBefore);

    const sendsBefore = chatSends(world.gw).length;
    for (const [i, t] of [AUTO, CHILD].entries()) {
      expect((await world.press(t.conversation, notices[i]?.buttons[0]?.data ?? "")).text).toBe(texts.resuming(t.name));
    }
    for (const t of [AUTO, CHILD]) {
      await until(
        () => world.shown(t.conversation, /^ECHO: Your previous turn was interrupted/).length === 1,
        "answer",
      );
    }
    await quiet(world);
    expect(
      chatSends(world.gw)
        .slice(sendsBefore)
        .map((s) => s.sessionKey),
    ).toEqual([AUTO.key, CHILD.key]);
    expect(world.gw.session(CHILD.key)?.row.spawnDepth).toBe(1);
    expect(world.gw.session(AUTO.key)?.row.spawnDepth).toBeUndefined();
  });
});
