/** Transcripts seeded into the fake gateway's store, in the shapes OpenClaw 2026.9.6 writes (test/e2e/thread-controls-recap). */
import type { FakeOpenClawGateway } from "../../fakes/fake-gateway.ts";
import type { TranscriptRow } from "../../fakes/gateway/store.ts";

/** What to put in a seeded transcript besides the plain turns. */
export interface SeedOptions {
  /** The first turn runs a tool: an assistant row with a toolCall part, then a toolResult row. */
  tool?: boolean | undefined;
  /** End with one of OpenClaw's own prompts (senderIsOwner false) and its answer. */
  system?: boolean | undefined;
  /** Pad each question and answer to about this many bytes. */
  textBytes?: number | undefined;
}

/** Appends `turns` question/answer pairs (and what `options` asks for) to a session the fake holds. */
export function seedTurns(gw: FakeOpenClawGateway, key: string, turns: number, options: SeedOptions = {}): void {
  const record = gw.store.get(key);
  if (!record) throw new Error(`the fake holds no session ${key}`);
  const pad = (text: string) => (options.textBytes ? text.padEnd(options.textBytes, " lorem ipsum") : text);
  const push = (row: Record<string, unknown>, meta: Record<string, unknown> = {}) => {
    const seq = record.transcript.length + 1;
    const full = { ...row, timestamp: 1_796_550_000_000 + seq * 1000, __openclaw: { id: `row-${seq}`, seq, ...meta } };
    record.transcript.push(full as unknown as TranscriptRow);
  };
  for (let i = 1; i <= turns; i += 1) {
    push({ role: "user", content: pad(`turn ${i} question`) }, { senderIsOwner: true });
    if (options.tool && i === 1) {
      const call = { type: "toolCall", id: "callfake1", name: "exec", arguments: { command: "echo one" } };
      push({ role: "assistant", content: [call], stopReason: "toolUse" });
      const result = { role: "toolResult", toolCallId: "callfake1", toolName: "exec", isError: false };
      push({ ...result, content: [{ type: "text", text: "one" }] });
    }
    push({ role: "assistant", content: [{ type: "text", text: pad(`turn ${i} answer`) }], stopReason: "stop" });
  }
  if (options.system) {
    const prompt = "[System] Your previous turn was interrupted by a gateway restart. Continue.";
    push({ role: "user", content: prompt }, { senderIsOwner: false });
    push({ role: "assistant", content: [{ type: "text", text: "Continuing." }], stopReason: "stop" });
  }
}
