import { describe, expect, it } from "vitest";
import { texts } from "../../../src/core/texts.ts";
import { type BotWorld, botSays, carol, startBot } from "./support/bot-world.ts";
import { alice, aliceDm, forum } from "./support/harness.ts";

const sends = (world: BotWorld) => world.gw.requestsOf("chat.send").map((r) => r.params as Record<string, unknown>);

/** A thread in a forum topic with a turn holding after its first words; returns the topic and that message. */
async function streamingInTopic(world: BotWorld, name: string) {
  world.tg.userMessage(forum.id, alice, `/thread ${name}`);
  await botSays(world, forum.id, undefined, /Created thread/);
  const topicId = world.tg.topics(forum.id).find((t) => t.name === name)?.id;
  const gate = world.gw.model.hold();
  world.tg.userMessage(forum.id, alice, "write the report", { topicId });
  await gate.reached;
  const partial = await botSays(world, forum.id, topicId, /^ECHO/);
  return { topicId, partial, gate };
}

describe("/stop and /steer on Telegram", () => {
  it("/stop in a topic stops the streaming answer, which stays marked stopped; the next message is answered", async () => {
    const world = await startBot();
    const { topicId, partial } = await streamingInTopic(world, "report");
    const before = partial.message.text;
    world.tg.userMessage(forum.id, alice, "/stop", { topicId });
    await botSays(world, forum.id, topicId, 'Stopped the running turn of "report".');
    await botSays(world, forum.id, topicId, `${before}\n\n${texts.stopped}`);
    expect(world.gw.requestsOf("chat.abort")).toHaveLength(1);
    world.tg.userMessage(forum.id, alice, "next", { topicId });
    await botSays(world, forum.id, topicId, "ECHO: next");
  });

  it("/stop with nothing running answers one line and calls no gateway method", async () => {
    const world = await startBot();
    world.tg.userMessage(aliceDm.id, alice, "/thread quiet");
    await botSays(world, aliceDm.id, undefined, /Created thread/);
    const requests = world.gw.requests.length;
    world.tg.userMessage(aliceDm.id, alice, "/stop");
    await botSays(world, aliceDm.id, undefined, 'Nothing is running in "quiet".');
    expect(world.gw.requests.length).toBe(requests);
  });

  it("a stranger's /stop and /steer are not acted on", async () => {
    const world = await startBot();
    const { topicId } = await streamingInTopic(world, "guarded");
    world.tg.userMessage(forum.id, carol, "/stop", { topicId });
    world.tg.userMessage(forum.id, carol, "/steer do something else", { topicId });
    world.tg.userMessage(carol.id, carol, "/stop");
    await botSays(world, carol.id, undefined, /not on this bot's allow list/);
    expect(world.gw.requestsOf("chat.abort")).toEqual([]);
    expect(sends(world)).toHaveLength(1);
  });

  it("a reply to the streaming answer steers it (queueMode interrupt); the steered answer follows in the topic", async () => {
    const world = await startBot();
    const { topicId, partial } = await streamingInTopic(world, "steered");
    world.tg.userMessage(forum.id, alice, "only the summary", { topicId, replyTo: partial.message.message_id });
    await botSays(world, forum.id, topicId, "ECHO: only the summary");
    await botSays(world, forum.id, topicId, new RegExp(`${texts.redirected.replace(/[()]/g, "\\$&")}$`));
    expect(sends(world).map((s) => s.queueMode)).toEqual([undefined, "interrupt"]);
  });

  it("/steer with empty text answers one line and sends nothing", async () => {
    const world = await startBot();
    world.tg.userMessage(aliceDm.id, alice, "/thread empty");
    await botSays(world, aliceDm.id, undefined, /Created thread/);
    world.tg.userMessage(aliceDm.id, alice, "/steer");
    await botSays(world, aliceDm.id, undefined, texts.usage("/steer <text>"));
    expect(sends(world)).toEqual([]);
  });
});
