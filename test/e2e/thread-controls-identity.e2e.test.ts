/**
 * Issue 13, a thread's identity, against the real OpenClaw gateway (fake model), typed as the console types
 * them (the in-process bot's App dispatches `/thread <sub>`): /thread rename (sessions.patch
 * label; the old and the new name reach one key), /thread fork (sessions.create with fork), /thread reset
 * (sessions.reset) and /thread delete (sessions.delete, then the name made again), and OpenClaw's archived
 * threads in /threads. One gateway for the file; what was found is in docs/openclaw-thread-identity.md.
 */
import { describe, expect, it } from "vitest";
import { namedKey } from "./harness/e2e-context.ts";
import type { RawClient } from "./harness/raw-client.ts";
import type { InProcessBot } from "./support/in-process-bot.ts";
import { useGatewaySuite } from "./support/suite.ts";
import { until } from "./support/waits.ts";

/** Says `text` in `conversation` and waits for the echo. */
async function turn(bot: InProcessBot, conversation: string, text: string): Promise<void> {
  await bot.say(conversation, text);
  await until(
    `the answer to "${text}"`,
    () => bot.channel.in(conversation).find((m) => m.text === `ECHO: ${text}`),
    60_000,
  );
  await until("the turn closes", () => Object.keys(bot.store.state.journal).length === 0, 30_000);
}

type Row = { key: string; label?: string; sessionId?: string; archived?: boolean };

async function rows(client: RawClient, params: Record<string, unknown>): Promise<Row[]> {
  return (await client.request<{ sessions: Row[] }>("sessions.list", params)).sessions;
}

async function historyTexts(client: RawClient, key: string): Promise<string> {
  const result = await client.request<{ messages: unknown[]; sessionId?: string }>("chat.history", { sessionKey: key });
  return JSON.stringify(result.messages);
}

describe("a thread's identity (real gateway)", () => {
  const suite = useGatewaySuite("identity");

  it("rename: sessions.list {label} finds the new label; the old and the new name reach one key", async () => {
    const bot = await suite.startBot("rename", "auto");
    await bot.command("console:a", "thread", "Budget");
    await turn(bot, "console:a", "rent is 1200");
    const reply = await bot.command("console:a", "thread", "rename Finance 2027");
    expect(reply?.text).toContain(`session key (${namedKey("budget")}) stay as they were`);

    const client = await suite.gateway.connect();
    expect((await rows(client, { label: "Finance 2027" })).map((r) => r.key)).toEqual([namedKey("budget")]);
    expect(await rows(client, { label: "Budget" })).toEqual([]);
    expect((await bot.command("console:b", "thread", "budget"))?.text).toMatch(/^Attached thread "Finance 2027"/);
    expect((await bot.command("console:c", "thread", "Finance 2027"))?.text).toMatch(/^Attached thread "Finance 2027"/);
    await turn(bot, "console:b", "from the old name");
    await turn(bot, "console:c", "from the new name");
    const texts = await historyTexts(client, namedKey("budget"));
    for (const text of ["rent is 1200", "from the old name", "from the new name"]) expect(texts).toContain(text);
    expect(bot.store.state.threads["finance-2027"]).toBeUndefined();
    await client.close();
  });

  it("fork: the model's request in the fork carries the original's history; the original is untouched", async () => {
    const bot = await suite.startBot("fork", "auto");
    await bot.command("console:f", "thread", "Original");
    await turn(bot, "console:f", "remember the number 42");
    const client = await suite.gateway.connect();
    const before = await historyTexts(client, namedKey("original"));

    const reply = await bot.command("console:f", "thread", "fork Original B");
    expect(reply?.text).toMatch(/^Forked "Original" into "Original B" \(original-b\), bound here/);
    const sent = suite.model.requests.length;
    await turn(bot, "console:f", "which number?");
    const request = suite.model.requests.slice(sent).find((r) => r.kind === "turn");
    const seen = JSON.stringify(request?.messages ?? []);
    expect(seen).toContain("remember the number 42");
    expect(seen).toContain("which number?");
    expect(await historyTexts(client, namedKey("original"))).toBe(before);
    const forked = await rows(client, { label: "Original B" });
    expect(forked.map((r) => r.key)).toEqual([namedKey("original-b")]);
    await client.close();
  });

  it("fork under confirm-child: a spawnDepth-1 fork of a child thread is accepted and carries the history", async () => {
    const bot = await suite.startBot("fork-confirm", "confirm-child");
    await bot.command("console:g", "thread", "Child");
    await turn(bot, "console:g", "remember the colour teal");
    expect((await bot.command("console:g", "thread", "fork Child B"))?.text).toMatch(/^Forked "Child" into "Child B"/);
    const sent = suite.model.requests.length;
    await turn(bot, "console:g", "which colour?");
    const request = suite.model.requests.slice(sent).find((r) => r.kind === "turn");
    expect(JSON.stringify(request?.messages ?? [])).toContain("remember the colour teal");
    const client = await suite.gateway.connect();
    const [row] = await client
      .request<{ sessions: Record<string, unknown>[] }>("sessions.list", { label: "Child B" })
      .then((r) => r.sessions);
    expect(row).toMatchObject({ key: namedKey("child-b"), spawnDepth: 1, parentSessionKey: namedKey("child") });
    await client.close();
  });

  it("reset: asked first; a press after a bot restart resets once; the next turn carries none of the old", async () => {
    let bot = await suite.startBot("reset", "auto");
    await bot.command("console:r", "thread", "Resettable");
    await turn(bot, "console:r", "the secret is 7");
    const client = await suite.gateway.connect();
    const [row] = await rows(client, { label: "Resettable" });
    const asked = await bot.command("console:r", "thread", "reset");
    await suite.stopBot();

    bot = await suite.startBot("reset", "auto");
    const yes = asked?.buttons?.[0]?.data ?? "";
    expect((await bot.press("console:r", yes)).text).toMatch(/was reset/);
    const [after] = await rows(client, { label: "Resettable" });
    expect(after?.key).toBe(row?.key);
    // OpenClaw resets in place: same key, same sessionId, an empty transcript.
    expect(after?.sessionId).toBe(row?.sessionId);
    expect(await historyTexts(client, namedKey("resettable"))).not.toContain("the secret is 7");
    expect((await bot.press("console:r", yes)).text).toMatch(/already answered/);
    expect((await rows(client, { label: "Resettable" }))[0]?.sessionId).toBe(after?.sessionId);

    const sent = suite.model.requests.length;
    await turn(bot, "console:r", "what was the secret?");
    const request = suite.model.requests.slice(sent).find((r) => r.kind === "turn");
    expect(JSON.stringify(request?.messages ?? [])).not.toContain("the secret is 7");
    await client.close();
  });

  it("delete: the session goes; the name made again is a new session with none of the old history", async () => {
    const bot = await suite.startBot("delete", "auto");
    await bot.command("console:d", "thread", "Doomed");
    await turn(bot, "console:d", "the old turn");
    const client = await suite.gateway.connect();
    const [row] = await rows(client, { label: "Doomed" });
    const asked = await bot.command("console:d", "thread", "delete");
    expect((await bot.press("console:d", asked?.buttons?.[0]?.data ?? "")).text).toMatch(/was deleted/);
    expect(await rows(client, { label: "Doomed" })).toEqual([]);
    expect((await rows(client, { search: "doomed", archived: "all" })).map((r) => r.key)).toEqual([]);

    expect((await bot.command("console:d2", "thread", "Doomed"))?.text).toMatch(/^Created thread "Doomed"/);
    const [again] = await rows(client, { label: "Doomed" });
    expect(again?.key).toBe(namedKey("doomed"));
    expect(again?.sessionId).not.toBe(row?.sessionId);
    expect(await historyTexts(client, namedKey("doomed"))).not.toContain("the old turn");
    const sent = suite.model.requests.length;
    await turn(bot, "console:d2", "the new turn");
    const request = suite.model.requests.slice(sent).find((r) => r.kind === "turn");
    expect(JSON.stringify(request?.messages ?? [])).not.toContain("the old turn");
    await client.close();
  });

  it("archived: /threads lists a thread OpenClaw archived on its own; /thread <name> restores it", async () => {
    const bot = await suite.startBot("archived", "auto");
    await bot.command("console:x", "thread", "Shelved");
    await bot.command("console:y", "thread", "Active");
    const client = await suite.gateway.connect();
    const [row] = await rows(client, { label: "Shelved" });
    await client.request("sessions.patch", { key: row?.key, archived: true, expectedSessionId: row?.sessionId });
    const listed = (await bot.command("console:x", "threads"))?.text ?? "";
    const [active, shelved] = listed.split("\n\n");
    expect(active).toContain("Active");
    expect(active).not.toContain("Shelved");
    expect(shelved).toContain("• Shelved (shelved)");
    await bot.command("console:x", "thread", "Shelved");
    expect((await rows(client, { label: "Shelved", archived: "all" }))[0]?.archived).not.toBe(true);
    expect((await bot.command("console:x", "threads"))?.text).not.toContain("Archived");
    await client.close();
  });
});
