import type { Message } from "grammy/types";
import type { Reply } from "../../core/commands/command.ts";
import { userMessage } from "../../core/errors.ts";
import type { HandlerDeps } from "./deps.ts";
import { errorFields } from "./errors.ts";

/** Runs the app and posts its reply under the person's message; a failure gets a short line instead. */
export async function respond(
  deps: HandlerDeps,
  conversation: string,
  message: Message,
  run: () => Promise<Reply | undefined>,
): Promise<void> {
  let reply: Reply | undefined;
  try {
    reply = await run();
  } catch (error) {
    deps.logger.error("telegram: handler failed", { conversation, ...errorFields(error, deps.token) });
    reply = { text: userMessage(error) };
  }
  if (!reply) return;
  try {
    await deps.outgoing.reply(conversation, reply, message.message_id);
  } catch (error) {
    deps.logger.error("telegram: reply not delivered", { conversation, ...errorFields(error, deps.token) });
  }
}
