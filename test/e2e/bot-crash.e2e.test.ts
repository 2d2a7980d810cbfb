/**
 * Issue 8, the bot's own crashes, against the real gateway: the console bot (`node src/main.ts`) is SIGKILLed
 * mid-turn, or dies between writing its journal and sending; after it starts again every turn is answered
 * exactly once and no idempotency key crosses into a second send.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { JournalEntry } from "../../src/core/model.ts";
import { openJsonStore } from "../../src/store/index.ts";
import { startE2eGateway } from "./harness/e2e-context.ts";
import { type FakeModel, HOLD_FIRST_CHUNK, startFakeModel } from "./harness/fake-model.ts";
import type { Gateway } from "./harness/gateway.ts";
import { type ConsoleBot, startConsoleBot } from "./support/console-bot.ts";
import { sleep } from "./support/waits.ts";

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe("bot crashes (real gateway, console bot)", () => {
  let model: FakeModel;
  let gateway: Gateway;
  let dir: string;
  const bots: ConsoleBot[] = [];

  beforeAll(async () => {
    model = await startFakeModel();
    gateway = await startE2eGateway(model, "bot-crash");
    dir = mkdtempSync(join(tmpdir(), "tk-bot-crash-"));
  });

  afterEach(async () => {
    for (const bot of bots.splice(0)) if (bot.child.exitCode === null) await bot.kill();
  });

  afterAll(async () => {
    await gateway?.cleanup();
    await model?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (name: string, storeName: string) => {
    const env = {
      OPENCLAW_GATEWAY_URL: gateway.url,
      OPENCLAW_GATEWAY_TOKEN: gateway.token,
      STORE_PATH: join(dir, storeName),
    };
    const bot = startConsoleBot({ conversation: name, env });
    bots.push(bot);
    return bot;
  };

  it("SIGKILL mid-turn while the gateway finishes it: the answer arrives once after the restart", async () => {
    const first = start("A", "kill.json");
    await first.waitFor(/Type \/help/);
    first.type("/thread bot crash");
    await first.waitFor(/Created thread/);
    first.type("HOLD survive the bot");
    await model.waitForHeld();
    await first.waitFor(new RegExp(HOLD_FIRST_CHUNK.trim()));
    await first.kill();
    model.release();
    await sleep(2_000); // the gateway finishes the turn with no client connected

    const second = start("A", "kill.json");
    const answer = `${HOLD_FIRST_CHUNK}ECHO: HOLD survive the bot`;
    await second.waitFor(/ECHO: HOLD survive the bot/, { timeoutMs: 60_000 });
    await sleep(2_000);
    expect(count(second.stdout(), answer)).toBe(1);
    expect(model.requests.filter((r) => r.userText === "HOLD survive the bot")).toHaveLength(1);
    expect(await second.quit()).toBe(0);
  });

  it("dies between the journal write and chat.send: the turn is sent once after the restart", async () => {
    const first = start("B", "journal.json");
    await first.waitFor(/Type \/help/);
    first.type("/thread journal first");
    await first.waitFor(/Created thread/);
    expect(await first.quit()).toBe(0);

    // What the store holds when the bot dies right after journaling: one entry, never sent
    // (and one marked sent on this gateway boot, whose chat.send never left the process).
    const store = await openJsonStore({ path: join(dir, "journal.json") });
    const thread = store.state.threads["journal-first"];
    expect(thread).toBeDefined();
    const base = {
      slug: "journal-first",
      sessionKey: thread?.sessionKey ?? "",
      conversation: "console:B",
      senderId: "console:t",
      kind: "message",
    } as const;
    const unsent: JournalEntry = {
      ...base,
      turnId: randomUUID(),
      text: "journaled, never sent",
      createdAt: Date.now(),
      seq: store.state.seq + 1,
    };
    const marked: JournalEntry = {
      ...base,
      turnId: randomUUID(),
      text: "marked sent, never sent",
      createdAt: Date.now(),
      seq: store.state.seq + 2,
      sentBootId: store.state.gatewayBootId,
      sentAt: Date.now(),
    };
    await store.update({ seq: marked.seq, journal: { [unsent.turnId]: unsent, [marked.turnId]: marked } });
    await store.close();

    const second = start("B", "journal.json");
    await second.waitFor(/ECHO: journaled, never sent/, { timeoutMs: 60_000 });
    await second.waitFor(/ECHO: marked sent, never sent/, { timeoutMs: 60_000 });
    await sleep(2_000);
    expect(count(second.stdout(), "ECHO: journaled, never sent")).toBe(1);
    expect(count(second.stdout(), "ECHO: marked sent, never sent")).toBe(1);
    expect(model.requests.filter((r) => r.userText === "journaled, never sent")).toHaveLength(1);
    expect(model.requests.filter((r) => r.userText === "marked sent, never sent")).toHaveLength(1);
    expect(await second.quit()).toBe(0);
  });

  it("dies between the journal write and chat.send of a message with a file: sent once after the restart, file included", async () => {
    const first = start("C", "files.json");
    await first.waitFor(/Type \/help/);
    first.type("/thread journal files");
    await first.waitFor(/Created thread/);
    expect(await first.quit()).toBe(0);

    // What the bot leaves when it dies right after journaling a message with a file: the entry and,
    // beside the store, the file's bytes under the id the entry names (src/store/blobs.ts).
    const content = `inventory line ${randomUUID()}`;
    const blob = randomUUID();
    mkdirSync(join(dir, "attachments"), { recursive: true });
    writeFileSync(join(dir, "attachments", blob), content);
    const store = await openJsonStore({ path: join(dir, "files.json") });
    const thread = store.state.threads["journal-files"];
    const entry: JournalEntry = {
      turnId: randomUUID(),
      slug: "journal-files",
      sessionKey: thread?.sessionKey ?? "",
      conversation: "console:C",
      senderId: "console:t",
      kind: "message",
      text: "read the attached list",
      createdAt: Date.now(),
      seq: store.state.seq + 1,
      attachments: [{ kind: "file", fileName: "list.txt", mimeType: "text/plain", size: content.length, blob }],
    };
    await store.update({ seq: entry.seq, journal: { [entry.turnId]: entry } });
    await store.close();

    const second = start("C", "files.json");
    // The fake model echoes what it got: OpenClaw's media line, the text, and the file's content.
    await second.waitFor(new RegExp(content), { timeoutMs: 60_000 });
    await sleep(2_000);
    const requests = model.requests.filter((r) => JSON.stringify(r.rawMessages).includes("read the attached list"));
    expect(requests).toHaveLength(1);
    // OpenClaw inlines a text file's content into the person's message (docs/openclaw-agent-loop.md).
    expect(JSON.stringify(requests[0]?.rawMessages)).toContain(content);
    expect(count(second.stdout(), content)).toBe(1);
    expect(await second.quit()).toBe(0);
    // The turn closed, so its file went.
    expect(readdirSync(join(dir, "attachments"))).toEqual([]);
  });
});
