/** A ChannelPort that only counts what the core shows (platform `console`, any console:* conversation). */
import type { Platform } from "../../src/core/keys/conversation-key.ts";
import type { ChannelPort, OutgoingMessage } from "../../src/core/ports.ts";

/** Counts sends and edits; `onSend` sees each message as it is posted. */
export class CountingChannel implements ChannelPort {
  readonly platform: Platform = "console";
  readonly maxMessageLength = 100_000;
  readonly minEditIntervalMs = 50;
  sends = 0;
  edits = 0;
  onSend: ((conversation: string, message: OutgoingMessage) => void) | undefined;

  async send(conversation: string, message: OutgoingMessage): Promise<string> {
    this.sends++;
    this.onSend?.(conversation, message);
    return String(this.sends);
  }

  async edit(): Promise<void> {
    this.edits++;
  }

  async typing(): Promise<void> {}
}
