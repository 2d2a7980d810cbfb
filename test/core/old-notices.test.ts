import { describe, expect, it } from "vitest";
import type { Notice } from "../../src/core/model.ts";
import { KEEP_SETTLED_NOTICE_MS, oldNoticesPatch } from "../../src/core/turns/notices.ts";
import { startBot } from "./support/bot-harness.ts";

const NOW = 1_800_000_000_000;
const WEEK_AGO = NOW - KEEP_SETTLED_NOTICE_MS;

function notice(id: string, state: Notice["state"], createdAt: number): Notice {
  return { id, kind: "resume", slug: "ops", turnId: `t-${id}`, conversation: "telegram:1", createdAt, state };
}

describe("settled notices are forgotten after a week", () => {
  it("forgets used and void notices older than a week; keeps open ones, recent ones, and any an outbox item names", () => {
    const notices = {
      used: notice("used", "used", WEEK_AGO - 1),
      void: notice("void", "void", WEEK_AGO - 1),
      open: notice("open", "open", WEEK_AGO - 1),
      recent: notice("recent", "used", WEEK_AGO + 1),
      queued: notice("queued", "used", WEEK_AGO - 1),
    };
    const outbox = { o1: { noticeId: "queued" } };
    expect(oldNoticesPatch({ notices, outbox }, NOW)).toEqual({ used: null, void: null });
    expect(oldNoticesPatch({ notices: { open: notices.open, recent: notices.recent }, outbox: {} }, NOW)).toBe(
      undefined,
    );
  });

  it("the bot forgets them when it connects to the gateway", async () => {
    const old = notice("old", "used", Date.now() - KEEP_SETTLED_NOTICE_MS - 60_000);
    const open = notice("open", "open", Date.now() - KEEP_SETTLED_NOTICE_MS - 60_000);
    const world = await startBot({ seed: (store) => store.update({ notices: { old, open } }) });
    expect(Object.keys(world.store.state.notices)).toEqual(["open"]);
  });
});
