import { ErrorCode, isBotError, userMessage } from "../errors.ts";

/** Acknowledgement for a message kept while the gateway is away. */
export const QUEUED_TEXT = "Queued: the OpenClaw gateway is restarting. Your message will be sent when it is back.";

/** What to tell the person when the gateway refuses a turn; OpenClaw's own hints name its commands, not ours. */
export function refusal(error: unknown): string {
  const text = userMessage(error);
  if (/ended during restart recovery/i.test(text)) {
    return "OpenClaw could not recover this thread's session after a restart. Press Recover on the notice, or type /resume, to continue it in a new session.";
  }
  if (/is archived/i.test(text))
    return "OpenClaw archived this thread's session. Type /thread <name> again to restore it.";
  return `The gateway refused this message: ${text}`;
}

export function isRetryable(error: unknown): boolean {
  return isBotError(error, ErrorCode.GatewayError) && error.details?.retryable === true;
}

const NEXT_ACTION = /(?:^|\n)\s*(?:next(?: step)?|then I(?:'ll| will))\s*[:,-]?\s*(.{3,200})/i;

/** The next expected action, when the agent stated one ("Next: …"). */
export function nextAction(text: string): { nextAction?: string } {
  const match = NEXT_ACTION.exec(text);
  return match?.[1] ? { nextAction: match[1].trim() } : {};
}
