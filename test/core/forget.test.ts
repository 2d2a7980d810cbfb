import { describe, expect, it } from "vitest";
import { emptyState, type StoreState } from "../../src/core/model.ts";
import { deletionPatch, resetPatch } from "../../src/core/threads/forget.ts";

function state(): StoreState {
  const s = emptyState();
  const notice = { slug: "budget", turnId: "t1", conversation: "console:a", createdAt: 1, state: "open" as const };
  s.notices = {
    n1: { id: "n1", kind: "resume", ...notice },
    n2: { id: "n2", kind: "resume", ...notice, slug: "other" },
  };
  s.outbox = {
    o1: {
      id: "o1",
      conversation: "console:a",
      text: "x",
      buttons: [],
      noticeId: "n1",
      createdAt: 1,
      seq: 1,
      attempts: 0,
      nextAttemptAt: 1,
    },
    o2: {
      id: "o2",
      conversation: "console:a",
      text: "y",
      buttons: [],
      noticeId: "n2",
      createdAt: 1,
      seq: 2,
      attempts: 0,
      nextAttemptAt: 1,
    },
  };
  s.bindings = {
    "console:a": { slug: "budget", boundAt: 1, boundBy: "x" },
    "console:b": { slug: "other", boundAt: 1, boundBy: "x" },
  };
  s.nativeThreads = { "telegram:-1|budget": { conversation: "telegram:-1:topic:5", createdAt: 1 } };
  s.aliases = { finance: { slug: "budget", createdAt: 1 }, trips: { slug: "other", createdAt: 1 } };
  return s;
}

describe("what a deleted or reset thread leaves behind", () => {
  it("delete: the thread's bindings, topics, checkpoint, notices with their outbox items, approvals, journal and aliases", () => {
    const patch = deletionPatch(state(), "budget");
    expect(patch).toMatchObject({
      threads: { budget: null },
      bindings: { "console:a": null },
      nativeThreads: { "telegram:-1|budget": null },
      checkpoints: { budget: null },
      notices: { n1: null },
      outbox: { o1: null },
      aliases: { finance: null },
    });
    expect(Object.keys(patch.bindings ?? {})).toEqual(["console:a"]);
    expect(Object.keys(patch.outbox ?? {})).toEqual(["o1"]);
    expect(Object.keys(patch.aliases ?? {})).toEqual(["finance"]);
  });

  it("reset: the checkpoint goes and open notices are void; bindings and aliases stay", () => {
    const patch = resetPatch(state(), "budget", 5);
    expect(patch).toEqual({
      threads: { budget: { state: "idle", messageCount: 0, lastActivityAt: 5 } },
      checkpoints: { budget: null },
      notices: { n1: { state: "void" } },
    });
  });
});
