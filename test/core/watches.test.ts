import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../../src/core/model.ts";
import type { ProgressLine } from "../../src/core/turns/progress.ts";
import type { ReplyStream } from "../../src/core/turns/reply-stream.ts";
import { type Watch, Watches } from "../../src/core/turns/watches.ts";

function watch(turnId: string, seq: number, shows: string[] = []): Watch {
  const entry = { turnId, slug: "t", sessionKey: "agent:main:named:t", conversation: "console:a", seq } as JournalEntry;
  const stream = { shows: (id: string) => shows.includes(id) } as unknown as ReplyStream;
  return {
    entry,
    stream,
    progress: {} as ProgressLine,
    runIds: new Set([turnId]),
    followSession: false,
    settle: () => {},
  };
}

describe("Watches (what /stop and /steer act on)", () => {
  it("finds the oldest turn of a thread, and the turn a message shows", () => {
    const watches = new Watches();
    watches.add(watch("later", 2));
    watches.add(watch("first", 1, ["m1"]));
    expect(watches.runningOf("t")?.entry.turnId).toBe("first");
    expect(watches.runningOf("other")).toBeUndefined();
    expect(watches.showing("console:a", "m1")?.entry.turnId).toBe("first");
    expect(watches.showing("console:b", "m1")).toBeUndefined();
    expect(watches.showing("console:a", "m2")).toBeUndefined();
  });

  it("remembers the runs of turns that ended, so their late words are not shown under another turn", () => {
    const watches = new Watches();
    const stopped = watch("stopped", 1);
    stopped.runIds.add("adopted-run");
    watches.add(stopped);
    expect(watches.isEnded("stopped")).toBe(false);
    watches.delete("stopped");
    expect(watches.isEnded("stopped")).toBe(true);
    expect(watches.isEnded("adopted-run")).toBe(true);
    for (let i = 0; i < 100; i++) {
      watches.add(watch(`t${i}`, i + 2));
      watches.delete(`t${i}`);
    }
    expect(watches.isEnded("stopped")).toBe(false); // only the latest few are kept
    expect(watches.isEnded("t99")).toBe(true);
  });
});
