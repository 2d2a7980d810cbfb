import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeTelegram } from "../../fakes/fake-telegram.ts";

let tg: FakeTelegram;
beforeEach(async () => {
  tg = await FakeTelegram.start();
  tg.addChat({ id: 1, type: "private", first_name: "A" });
  tg.addChat({ id: -2, type: "supergroup", title: "F", is_forum: true });
});
afterEach(async () => {
  await tg.stop();
});

interface Answer {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

async function call(method: string, params: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Answer> {
  const response = await fetch(`${tg.apiRoot}/bot${tg.token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
    ...(signal ? { signal } : {}),
  });
  return (await response.json()) as Answer;
}

const alice = { id: 1, is_bot: false, first_name: "A" };

describe("FakeTelegram", () => {
  it("checks the token and records unimplemented methods", async () => {
    const wrong = await fetch(`${tg.apiRoot}/botnope/getMe`).then((r) => r.json());
    expect(wrong).toEqual({ ok: false, error_code: 401, description: "Unauthorized" });
    expect(await call("sendDice", { chat_id: 1 })).toMatchObject({ ok: false, error_code: 404 });
    expect(tg.unimplemented).toEqual(["sendDice"]);
  });

  it("long-polls: holds until an update arrives and forgets updates below the offset", async () => {
    const started = Date.now();
    const pending = call("getUpdates", { timeout: 5 });
    await tg.waitUntil(() => tg.updates.polling);
    tg.userMessage(1, alice, "hi");
    const first = (await pending).result as { update_id: number }[];
    expect(first).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2000);
    const again = await call("getUpdates", { timeout: 0 });
    expect(again.result).toHaveLength(1);
    const confirmed = await call("getUpdates", { offset: first[0]!.update_id + 1, timeout: 0 });
    expect(confirmed.result).toEqual([]);
  });

  it("ends the older of two polls with 409 and releases a poll whose client aborted", async () => {
    const older = call("getUpdates", { timeout: 5 });
    await tg.waitUntil(() => tg.updates.polling);
    const newer = call("getUpdates", { timeout: 0 });
    expect(await older).toMatchObject({ ok: false, error_code: 409 });
    expect((await newer).ok).toBe(true);
    const abort = new AbortController();
    const aborted = call("getUpdates", { timeout: 5 }, abort.signal).catch(() => "aborted");
    await tg.waitUntil(() => tg.updates.polling);
    abort.abort();
    expect(await aborted).toBe("aborted");
    await tg.waitUntil(() => !tg.updates.polling, { what: "poll released" });
  });

  it("answers Telegram's errors for long texts, bad HTML, missing reply targets and unchanged edits", async () => {
    expect(await call("sendMessage", { chat_id: 1, text: "x".repeat(4097) })).toMatchObject({
      error_code: 400,
      description: "Bad Request: message is too long",
    });
    const html = await call("sendMessage", { chat_id: 1, text: "<div>x</div>", parse_mode: "HTML" });
    expect(html.description).toMatch(/^Bad Request: can't parse entities/);
    const unclosed = await call("sendMessage", { chat_id: 1, text: "<b>x", parse_mode: "HTML" });
    expect(unclosed.description).toMatch(/can't parse entities/);
    const reply = await call("sendMessage", { chat_id: 1, text: "x", reply_parameters: { message_id: 99 } });
    expect(reply.description).toBe("Bad Request: message to be replied not found");
    // 4096 is counted after entity parsing, like Telegram.
    const sent = await call("sendMessage", { chat_id: 1, text: `<b>${"&amp;".repeat(4096)}</b>`, parse_mode: "HTML" });
    expect(sent.ok).toBe(true);
    const id = (sent.result as { message_id: number }).message_id;
    const same = { chat_id: 1, message_id: id, text: `<b>${"&amp;".repeat(4096)}</b>`, parse_mode: "HTML" };
    expect((await call("editMessageText", same)).description).toMatch(/message is not modified/);
    expect((await call("editMessageText", { ...same, parse_mode: undefined })).description).toMatch(/too long/);
  });

  it("models topics, members and injected 429s", async () => {
    const created = (await call("createForumTopic", { chat_id: -2, name: "ops" })).result as {
      message_thread_id: number;
    };
    expect(created.message_thread_id).toBeGreaterThan(1);
    const reopen = await call("reopenForumTopic", { chat_id: -2, message_thread_id: created.message_thread_id });
    expect(reopen.description).toBe("Bad Request: TOPIC_NOT_MODIFIED");
    const unknown = await call("reopenForumTopic", { chat_id: -2, message_thread_id: 777 });
    expect(unknown.description).toBe("Bad Request: TOPIC_ID_INVALID");
    const general = await call("sendMessage", { chat_id: -2, text: "x", message_thread_id: 1 });
    expect(general.description).toBe("Bad Request: message thread not found");
    tg.setMember(-2, alice, "administrator");
    expect((await call("getChatMember", { chat_id: -2, user_id: 1 })).result).toMatchObject({
      status: "administrator",
    });
    expect((await call("getChatMember", { chat_id: -2, user_id: 5 })).result).toMatchObject({ status: "left" });
    tg.failEvery(2, { retryAfter: 3 });
    await call("sendChatAction", { chat_id: 1, action: "typing" });
    const refused = await call("sendChatAction", { chat_id: 1, action: "typing" });
    expect(refused).toMatchObject({ ok: false, error_code: 429, parameters: { retry_after: 3 } });
  });
});
