import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { ids } from "../../fakes/fake-discord.ts";
import { slashAnswered, startHarness } from "./support/harness.ts";

const EPHEMERAL = 64;

describe("discord interaction timing", () => {
  it("defers within Discord's 3 s when the core is slow, then fills the answer in", async () => {
    const { fake, app } = await startHarness();
    app.onCommand = async () => {
      await sleep(3_500);
      return { text: "Took a while.", ephemeral: true };
    };
    const record = fake.slash({ userId: ids.alice, channelId: ids.general, name: "resume" });
    await fake.waitFor(() => record.callbacks[0], { what: "defer" });
    const deferredAfter = fake.calls.find((c) => c.path.includes(`/interactions/${record.id}/`))?.at ?? 0;
    expect(deferredAfter - record.createdAt).toBeLessThan(3_000);
    expect(record.callbacks[0]).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    await fake.waitFor(() => record.original?.content === "Took a while.", { timeoutMs: 5_000, what: "edit" });
    expect(fake.callsTo("PATCH", /\/messages\/@original$/)).toHaveLength(1);
    expect(record.original?.flags).toBe(EPHEMERAL);
  });

  it("posts a late public answer as a channel message and removes the placeholder", async () => {
    const { fake, app } = await startHarness({ deferAfterMs: 50 });
    app.onCommand = async () => {
      await sleep(200);
      return { text: "Attached thread here." };
    };
    const record = fake.slash({ userId: ids.alice, channelId: ids.general, name: "resume" });
    await fake.waitFor(() => record.original?.deleted, { what: "placeholder deleted" });
    expect(record.callbacks[0]?.type).toBe(5);
    expect(fake.messagesIn(ids.general).map((m) => m.content)).toEqual(["Attached thread here."]);
  });

  it("still delivers a public answer after the interaction token expired", async () => {
    const { fake, app } = await startHarness({ deferAfterMs: 20, fake: { tokenTtlMs: 100 } });
    app.onCommand = async () => {
      await sleep(250);
      return { text: "Done after a long time." };
    };
    const record = fake.slash({ userId: ids.alice, channelId: ids.general, name: "resume" });
    await fake.waitFor(() => fake.messagesIn(ids.general)[0], { what: "channel message" });
    expect(fake.messagesIn(ids.general)[0]?.content).toBe("Done after a long time.");
    expect(record.callbacks[0]?.type).toBe(5);
  });

  it("answers a command the core ignores with a placeholder removed at once", async () => {
    const { fake, app } = await startHarness();
    app.onCommand = async () => undefined;
    const record = fake.slash({ userId: ids.bob, channelId: ids.general, name: "resume" });
    await fake.waitFor(() => record.original?.deleted, { what: "deleted placeholder" });
    expect(record.callbacks).toEqual([{ type: 5, data: { flags: EPHEMERAL } }]);
  });

  it("splits a long answer into reply and followups of at most 2000 characters", async () => {
    const { fake, app } = await startHarness();
    const lines = Array.from({ length: 150 }, (_, i) => `• thread-${i} — idle, 2 min ago, bound here`);
    app.onCommand = async () => ({ text: lines.join("\n"), ephemeral: true });
    const record = fake.slash({ userId: ids.alice, channelId: ids.general, name: "threads" });
    const parts = () => [record.original, ...record.followups].map((m) => m?.content ?? "");
    await fake.waitFor(() => parts().join("\n") === lines.join("\n"), { what: "every part" });
    expect(parts().length).toBeGreaterThan(2);
    expect(parts().every((p) => p.length <= 2000)).toBe(true);
    expect(record.followups.every((m) => m.flags === EPHEMERAL)).toBe(true);
  });

  it("turns a core failure into a short ephemeral line without internals", async () => {
    const { fake, app } = await startHarness();
    app.onCommand = async () => {
      throw new Error("database exploded at /secret/path");
    };
    const record = await slashAnswered(fake, { userId: ids.alice, channelId: ids.general, name: "resume" });
    expect(record.original?.flags).toBe(EPHEMERAL);
    expect(record.original?.content).not.toContain("secret");
  });
});
