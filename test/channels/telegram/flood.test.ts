import { describe, expect, it } from "vitest";
import { alice, aliceDm, group, startHarness, until } from "./support/harness.ts";

describe("Telegram flood limits", () => {
  it("loses and duplicates nothing when every third call gets 429 retry_after", async () => {
    const harness = await startHarness();
    const methods = ["getUpdates", "sendMessage", "editMessageText", "sendChatAction", "answerCallbackQuery"];
    harness.tg.failEvery(3, { retryAfter: 0, methods });
    const texts = Array.from({ length: 12 }, (_, i) => `message ${i + 1}`);
    const ids: string[] = [];
    for (const text of texts) ids.push(await harness.channel.send(`telegram:${aliceDm.id}`, { text }));
    await harness.channel.edit(`telegram:${aliceDm.id}`, ids[0]!, { text: "message 1, edited" });
    harness.app.onCommand = async (invocation) => ({ text: `pong ${invocation.text}` });
    for (let i = 1; i <= 6; i++) harness.tg.userMessage(group.id, alice, `/help ${i}`);
    await until(() => harness.tg.botMessages(group.id).length >= 6, "six answers");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const shown = harness.tg.botMessages(aliceDm.id).map((m) => m.message.text);
    expect(shown).toEqual(["message 1, edited", ...texts.slice(1)]);
    const answers = harness.tg.botMessages(group.id).map((m) => m.message.text);
    expect(answers).toEqual(["pong 1", "pong 2", "pong 3", "pong 4", "pong 5", "pong 6"]);
    const refused = harness.tg.calls.filter((c) => c.error?.code === 429);
    expect(refused.length).toBeGreaterThanOrEqual(4);
  });

  it("spaces messages to one chat and keeps their order under the throttler", async () => {
    const minTime = 120;
    const harness = await startHarness({
      limits: { throttle: { out: { maxConcurrent: 1, minTime }, group: { maxConcurrent: 1, minTime } } },
    });
    const conversation = `telegram:${aliceDm.id}`;
    const sends = Array.from({ length: 5 }, (_, i) => harness.channel.send(conversation, { text: `n${i}` }));
    await Promise.all(sends);
    const calls = harness.tg.calls.filter((c) => c.method === "sendMessage");
    expect(calls.map((c) => c.params.text)).toEqual(["n0", "n1", "n2", "n3", "n4"]);
    // Bottleneck spaces the starts; arrival times jitter with load, so check the whole span.
    expect(calls.at(-1)!.at - calls[0]!.at).toBeGreaterThanOrEqual(4 * minTime - 30);
    // Typing is not queued behind messages: it overtakes three queued sends.
    const more = [5, 6, 7].map((i) => harness.channel.send(conversation, { text: `n${i}` }));
    await harness.channel.typing(conversation);
    await Promise.all(more);
    const typing = harness.tg.calls.find((c) => c.method === "sendChatAction")!;
    expect(typing.at).toBeLessThan(harness.tg.calls.filter((c) => c.method === "sendMessage")[7]!.at);
  });
});
