import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.ts";
import type { Logger } from "../../src/core/ports.ts";
import { type AppendLog, Writer } from "../../src/store/writer.ts";

/** An in-memory log whose next appends or snapshots can be made to fail. */
class FakeLog implements AppendLog {
  text = "";
  lines = 0;
  appends = 0;
  failAppend: Error | undefined;

  get bytes(): number {
    return this.text.length;
  }

  async append(text: string, lines: number): Promise<void> {
    await Promise.resolve();
    if (this.failAppend) throw this.failAppend;
    this.text += text;
    this.lines += lines;
    this.appends++;
  }

  async clear(): Promise<void> {
    this.text = "";
    this.lines = 0;
  }

  async close(): Promise<void> {}
}

const logs: string[] = [];
const logger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error: (message) => logs.push(message),
};

function writer(log: FakeLog, snapshot: (logSeq: number) => Promise<void>, compactAfterLines = 1000): Writer {
  return new Writer({
    log,
    logPath: "/x/threads.json.log",
    lastSeq: 0,
    compactAfterBytes: 1e9,
    compactAfterLines,
    snapshot,
    logger,
  });
}

describe("Writer", () => {
  it("writes the first change at once and what queued meanwhile as one batch", async () => {
    const log = new FakeLog();
    const w = writer(log, async () => {});
    const first = w.enqueue('{"seq":1}');
    await Promise.resolve(); // the first append is now in flight
    const rest = [2, 3, 4].map(() => w.enqueue("{}"));
    await Promise.all([first, ...rest]);
    expect(log.appends).toBe(2);
    expect(
      log.text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line).seq),
    ).toEqual([1, 2, 3, 4]);
    await w.flush();
    expect(w.stats.durableSeq).toBe(4);
  });

  it("after a failed append refuses everything, so nothing unsaved is ever acknowledged", async () => {
    const log = new FakeLog();
    const w = writer(log, async () => {});
    log.failAppend = new Error("ENOSPC: no space left on device");
    const failed = w.enqueue("{}");
    await expect(failed).rejects.toMatchObject({
      code: ErrorCode.StoreCorrupt,
      message: /ENOSPC.*accepts no more changes/,
    });
    expect(() => w.assertOpen(false)).toThrow(/accepts no more changes/);
    await expect(w.flush()).rejects.toThrow(/ENOSPC/);
    expect(logs.at(-1)).toBe("store write failed");
  });

  it("keeps going when a snapshot fails: the log still holds every change", async () => {
    const log = new FakeLog();
    let failures = 1;
    const snapshots: number[] = [];
    const w = writer(
      log,
      async (logSeq) => {
        if (failures-- > 0) throw new Error("EIO");
        snapshots.push(logSeq);
      },
      2,
    );
    for (let i = 0; i < 4; i++) await w.enqueue("{}");
    await w.close(); // waits for the writer to go idle
    expect(snapshots).toEqual([4]); // the first attempt at 2 lines failed, the retry 2 lines later worked
    expect(logs).toContain("store snapshot failed; the log keeps every change");
    expect(log.lines).toBe(0);
    expect(w.stats.compactions).toBe(1);
  });

  it("a compaction makes queued changes durable without appending them", async () => {
    const log = new FakeLog();
    const snapshots: number[] = [];
    const w = writer(log, async (logSeq) => void snapshots.push(logSeq), 1);
    const first = w.enqueue("{}");
    await Promise.resolve(); // the first append is in flight
    const queued = w.enqueue("{}"); // waits for the next batch
    await Promise.all([first, queued]);
    expect(snapshots).toEqual([2]); // compacting after line 1 took in the queued change
    expect(log.appends).toBe(1);
    expect(w.stats.durableSeq).toBe(2);
  });
});
