import type {
  ActionInvocation,
  AppPort,
  AutocompleteInvocation,
  CommandInvocation,
  ConversationMove,
  MessageInvocation,
} from "./app-port.ts";
import {
  type CommandDefinition,
  type Place,
  type RawArgs,
  type Reply,
  rawArgsFromText,
  type Sender,
} from "./commands/command.ts";
import type { Services } from "./commands/services.ts";
import { BotError, ErrorCode, userMessage } from "./errors.ts";
import { platformOf } from "./keys/conversation-key.ts";
import type { Notice } from "./model.ts";
import type { GatewayPort, Logger } from "./ports.ts";
import { conversationMovePatch } from "./threads/conversation-move.ts";
import { parseAction } from "./turns/notices.ts";
import { QUEUED_TEXT } from "./turns/relay.ts";

/** The core behind every channel: access rules, command routing, messages and buttons. */
export class App implements AppPort {
  readonly commands: readonly CommandDefinition<unknown, Services>[];
  readonly #services: Services;
  readonly #gateway: GatewayPort;
  readonly #logger: Logger;
  /** Strangers already told how to get access (told once per process). */
  readonly #told = new Set<string>();

  constructor(options: {
    commands: readonly CommandDefinition<unknown, Services>[];
    services: Services;
    logger: Logger;
  }) {
    this.commands = options.commands;
    this.#services = options.services;
    this.#gateway = options.services.gateway;
    this.#logger = options.logger;
  }

  async handleCommand(invocation: CommandInvocation): Promise<Reply | undefined> {
    const { place, sender } = invocation;
    if (!this.#services.access.isAllowed(sender.id)) return this.#stranger(place, sender);
    const definition = this.commands.find((c) => c.name === invocation.name);
    if (!definition) return { text: `Unknown command /${invocation.name}. Try /help.`, ephemeral: true };
    return this.#guard(async () => {
      const raw = invocation.options ?? rawArgsFromText(definition.params, invocation.text ?? "");
      const args = parseArgs(definition, raw);
      return definition.run({ args, place, sender, services: this.#services });
    });
  }

  async handleMessage(invocation: MessageInvocation): Promise<Reply | undefined> {
    const { place, sender } = invocation;
    if (!this.#services.access.isAllowed(sender.id)) return this.#stranger(place, sender);
    if (invocation.attachments?.length) return this.#withAttachments(place, invocation.attachments);
    if (
      invocation.replyToMessageId &&
      // Only a notice waiting for the person takes a reply; any other reply is an ordinary message.
      isResumable(this.#services.resumer.noticeForReply(place.conversation, invocation.replyToMessageId))
    ) {
      return this.#guard(() =>
        this.#services.resumer.run({
          conversation: place.conversation,
          senderId: sender.id,
          replyToMessageId: invocation.replyToMessageId,
          instruction: invocation.text,
        }),
      );
    }
    const thread = this.#services.threads.boundThread(place.conversation);
    if (!thread) {
      return place.direct ? { text: "No thread is bound here. Start one with /thread <name>." } : undefined;
    }
    if (invocation.text.trim().length === 0) return undefined;
    await this.#services.relay.accept({
      thread,
      conversation: place.conversation,
      senderId: sender.id,
      text: invocation.text,
    });
    return this.#gateway.connected ? undefined : { text: QUEUED_TEXT };
  }

  async handleAction(invocation: ActionInvocation): Promise<Reply> {
    const { place, sender } = invocation;
    if (!this.#services.access.isAllowed(sender.id))
      return { text: "You are not allowed to use this bot.", ephemeral: true };
    const action = parseAction(invocation.data);
    if (!action) return { text: "That button is not one of this bot's, or it has expired.", ephemeral: true };
    if (action.kind === "page") {
      const options: RawArgs = { filter: action.filter || undefined, page: String(action.page) };
      return (await this.handleCommand({ place, sender, name: "threads", options })) ?? { text: "Nothing to show." };
    }
    return this.#guard(() =>
      this.#services.resumer.run({ conversation: place.conversation, senderId: sender.id, noticeId: action.noticeId }),
    );
  }

  async autocomplete(invocation: AutocompleteInvocation): Promise<string[]> {
    if (!this.#services.access.isAllowed(invocation.sender.id)) return [];
    const query = invocation.query.slice(0, 100).trim().toLowerCase();
    return Object.values(this.#services.store.state.threads)
      .filter((t) => query === "" || t.slug.includes(query) || t.name.toLowerCase().includes(query))
      .sort((a, b) => b.lastActivityAt - a.lastActivityAt)
      .slice(0, 25)
      .map((t) => t.name.slice(0, 100));
  }

  /**
   * Only text reaches the agent: a message with a photo or a file is not sent at all (its caption
   * alone would reach the agent without what it talks about), and the person is told so where the
   * agent would have answered. Elsewhere (a group with no thread) it was not meant for the bot.
   */
  #withAttachments(place: Place, attachments: readonly string[]): Reply | undefined {
    if (!place.direct && !this.#services.threads.boundThread(place.conversation)) return undefined;
    return {
      text: `Only text reaches the agent, so this message was not sent (it has ${listOf(attachments)}). Send what you want to say as text.`,
    };
  }

  async conversationMoved({ from, to }: ConversationMove): Promise<void> {
    if (from === to || platformOf(from) !== platformOf(to)) {
      throw new BotError(ErrorCode.BadInput, `A conversation cannot move from ${from} to ${to}.`);
    }
    const patch = conversationMovePatch(this.#services.store.state, from, to);
    if (!patch) return; // nothing kept there, or already moved (both service messages announce it)
    await this.#services.store.update(patch);
    this.#logger.info("conversation moved", { from, to, bound: this.#services.store.state.bindings[to]?.slug });
  }

  /** Strangers are ignored without a gateway call; in a DM they learn their id once. */
  #stranger(place: Place, sender: Sender): Reply | undefined {
    if (!place.direct || this.#told.has(sender.id)) return undefined;
    this.#told.add(sender.id);
    return { text: `You are not on this bot's allow list. Ask its operator to add ${sender.id} to ALLOWED_USERS.` };
  }

  /** Runs a handler; BotErrors become their one-line message, anything else a generic line. */
  async #guard(run: () => Promise<Reply>): Promise<Reply> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof BotError)) this.#logger.error("command failed", { error });
      return { text: userMessage(error), ephemeral: true };
    }
  }
}

/** "a photo", "a photo and a file", "a photo, a file and a sticker". */
function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** An open Resume or Recover notice (a reply to Stop must not abort OpenClaw's continuation). */
function isResumable(notice: Notice | undefined): boolean {
  return notice?.state === "open" && notice.kind !== "stop";
}

function parseArgs(definition: CommandDefinition<unknown, Services>, raw: RawArgs): unknown {
  if (raw[""] !== undefined) {
    throw new BotError(
      ErrorCode.BadInput,
      `/${definition.name} takes ${definition.params.length === 0 ? "no arguments" : "fewer arguments"}.`,
    );
  }
  const parsed = definition.args.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new BotError(
    ErrorCode.BadInput,
    parsed.error.issues[0]?.message ?? `Invalid arguments for /${definition.name}.`,
  );
}
