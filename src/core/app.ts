import type {
  ActionInvocation,
  AppPort,
  AutocompleteInvocation,
  CommandInvocation,
  ConversationMove,
  MessageInvocation,
} from "./app-port.ts";
import type { Access } from "./commands/access.ts";
import {
  type CommandDefinition,
  type Place,
  type RawArgs,
  type Reach,
  type Reply,
  rawArgsFromText,
  type Sender,
} from "./commands/command.ts";
import { type ResolvedCommand, resolveCommand, usageOf } from "./commands/dispatch.ts";
import type { Services } from "./commands/services.ts";
import { BotError, ErrorCode, userMessage } from "./errors.ts";
import { platformOf, spaceOf } from "./keys/conversation-key.ts";
import type { Notice } from "./model.ts";
import type { GatewayPort, Logger, StorePort } from "./ports.ts";
import { texts } from "./texts.ts";
import { threadChoices } from "./threads/choices.ts";
import { parseConfirmAction } from "./threads/confirmations.ts";
import { conversationMovePatch } from "./threads/conversation-move.ts";
import { parseApprovalAction } from "./turns/approval-text.ts";
import type { AttachmentIntake } from "./turns/attachments.ts";
import { parseAction } from "./turns/notices.ts";

/** The core behind every channel: access rules, command routing, messages and buttons. */
export class App implements AppPort {
  readonly commands: readonly CommandDefinition<unknown, Services>[];
  readonly #services: Services;
  readonly #access: Access;
  readonly #store: StorePort;
  readonly #gateway: GatewayPort;
  readonly #intake: AttachmentIntake;
  readonly #logger: Logger;
  /** Strangers already told how to get access (told once per process). */
  readonly #told = new Set<string>();

  constructor(options: {
    commands: readonly CommandDefinition<unknown, Services>[];
    services: Services;
    access: Access;
    store: StorePort;
    gateway: GatewayPort;
    intake: AttachmentIntake;
    logger: Logger;
  }) {
    this.#intake = options.intake;
    this.commands = options.commands;
    this.#services = options.services;
    this.#access = options.access;
    this.#store = options.store;
    this.#gateway = options.gateway;
    this.#logger = options.logger;
  }

  /**
   * Runs a command after the access its definition declares was checked here, for every command:
   * the resolved subcommand's access, not its parent's (a `delete` for admins under `/thread`).
   */
  async handleCommand(invocation: CommandInvocation): Promise<Reply | undefined> {
    const { place, sender } = invocation;
    const resolved = resolveCommand(this.commands, invocation);
    if (resolved?.definition.access !== "anyone" && !this.#access.isAllowed(sender.id)) {
      return this.#stranger(place, sender);
    }
    if (!resolved) {
      const name = [invocation.name, invocation.subcommand].filter(Boolean).join(" ");
      return { text: texts.unknownCommand(name), ephemeral: true };
    }
    await this.#loadHere(place);
    const { definition } = resolved;
    return this.#guard(async () => {
      const reach = await this.#reach(resolved, place, sender);
      const raw = invocation.options ?? rawArgsFromText(definition.params, resolved.text);
      const args = parseArgs(resolved, raw);
      return definition.run({ args, place, sender, reach, services: this.#services });
    });
  }

  /**
   * What the sender may reach with this command. Configured admins (and the console) reach every
   * thread; an admin command is refused to anyone else, except a chat's or server's own
   * administrator, who reaches the threads bound there (asked of the platform only then).
   */
  async #reach(resolved: ResolvedCommand<Services>, place: Place, sender: Sender): Promise<Reach> {
    if (this.#access.isAdmin(sender.id)) return { kind: "all" };
    if (resolved.definition.access !== "admin") return { kind: "here" };
    if (!place.direct && place.senderIsSpaceAdmin && (await place.senderIsSpaceAdmin())) {
      return { kind: "space", space: spaceOf(place.conversation) };
    }
    throw new BotError(ErrorCode.Forbidden, texts.adminsOnly(resolved.path));
  }

  async handleMessage(invocation: MessageInvocation): Promise<Reply | undefined> {
    const { place, sender } = invocation;
    if (!this.#access.isAllowed(sender.id)) return this.#stranger(place, sender);
    await this.#loadHere(place);
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
    const files = invocation.files ?? [];
    // A reply (text only) to an answer still streaming steers that turn; to a finished one it is a message.
    if (invocation.replyToMessageId && files.length === 0 && invocation.text.trim()) {
      const { replyToMessageId: messageId, text } = invocation;
      if (this.#services.runs.steersReply(place.conversation, messageId)) {
        return this.#guard(async () => {
          await this.#services.runs.steer({ conversation: place.conversation, senderId: sender.id, text });
          return undefined;
        });
      }
    }
    const thread = this.#services.threads.boundThread(place.conversation);
    if (!thread) {
      return place.direct ? { text: texts.noThreadHere } : undefined;
    }
    if (invocation.text.trim().length === 0 && files.length === 0) return undefined;
    return this.#guard(async () => {
      // The files are on disk before the journal names them, and go if the message cannot be journaled.
      const attachments = files.length > 0 ? await this.#intake.take(files) : undefined;
      const request = { thread, conversation: place.conversation, senderId: sender.id, text: invocation.text };
      await this.#services.relay.accept({ ...request, attachments }).catch(async (error: unknown) => {
        await this.#intake.release(attachments);
        throw error;
      });
      return this.#gateway.connected ? undefined : { text: texts.queued };
    });
  }

  async handleAction(invocation: ActionInvocation): Promise<Reply> {
    const { place, sender } = invocation;
    if (!this.#access.isAllowed(sender.id)) return { text: texts.notAllowed, ephemeral: true };
    await this.#loadHere(place);
    const approval = parseApprovalAction(invocation.data);
    if (approval) {
      const decision = { ...approval, conversation: place.conversation, senderId: sender.id };
      return this.#guard(() => this.#services.approvals.decide(decision));
    }
    const press = { data: invocation.data, conversation: place.conversation, senderId: sender.id };
    if (parseConfirmAction(invocation.data)) {
      return this.#guard(() => this.#services.confirmations.press({ ...press, messageId: invocation.messageId }));
    }
    const picked = await this.#guard(() => this.#services.modelUsage.press(press));
    if (picked) return picked;
    const action = parseAction(invocation.data);
    if (!action) return { text: texts.unknownButton, ephemeral: true };
    if (action.kind === "page") {
      const options: RawArgs = { filter: action.filter || undefined, page: String(action.page) };
      return (await this.handleCommand({ place, sender, name: "threads", options })) ?? { text: texts.nothingToShow };
    }
    return this.#guard(() =>
      this.#services.resumer.run({ conversation: place.conversation, senderId: sender.id, noticeId: action.noticeId }),
    );
  }

  /** Choices for a param that offers them: model refs, or thread names the sender may see (threadChoices). */
  async autocomplete(invocation: AutocompleteInvocation): Promise<string[]> {
    const { sender, place } = invocation;
    if (!this.#access.isAllowed(sender.id)) return [];
    const resolved = resolveCommand(this.commands, { name: invocation.command, subcommand: invocation.subcommand });
    // The focused param of the resolved subcommand says whether (and what) it offers.
    const param = resolved?.definition.params.find((p) => p.name === invocation.param);
    if (!param?.autocomplete) return [];
    await this.#loadHere(place);
    if (param.autocomplete === "models") {
      return (await this.#services.modelUsage.names(invocation.query.slice(0, 100))).slice(0, 25);
    }
    const admin = this.#access.isAdmin(sender.id);
    return await threadChoices(this.#services.threads, { query: invocation.query, senderId: sender.id, admin, place });
  }

  /**
   * What the agent cannot be given (a sticker, a poll): the message is not sent at all (its caption
   * alone would reach the agent without what it talks about), and the person is told so where the
   * agent would have answered. Elsewhere (a group with no thread) it was not meant for the bot.
   */
  #withAttachments(place: Place, attachments: readonly string[]): Reply | undefined {
    if (!place.direct && !this.#services.threads.boundThread(place.conversation)) return undefined;
    return { text: texts.onlyText(listOf(attachments)) };
  }

  async conversationMoved({ from, to }: ConversationMove): Promise<void> {
    if (from === to || platformOf(from) !== platformOf(to)) {
      throw new BotError(ErrorCode.BadInput, `A conversation cannot move from ${from} to ${to}.`);
    }
    await this.#store.load({ conversations: [from, to] });
    const patch = conversationMovePatch(this.#store.state, from, to);
    if (!patch) return; // nothing kept there, or already moved (both service messages announce it)
    await this.#store.update(patch);
    this.#logger.info("conversation moved", { from, to, bound: this.#store.state.bindings[to]?.slug });
  }

  /**
   * What the handlers read synchronously: the conversation's binding and its thread's records. The
   * Postgres store reads them by index now (the JSON store has them already); readers of a thread by
   * name load it themselves (ThreadRegistry.byName, attach, matching).
   */
  #loadHere(place: Place): Promise<void> {
    return this.#store.load({ conversations: [place.conversation] });
  }

  /** Strangers are ignored without a gateway call; in a DM they learn their id once. */
  #stranger(place: Place, sender: Sender): Reply | undefined {
    if (!place.direct || this.#told.has(sender.id)) return undefined;
    this.#told.add(sender.id);
    return { text: texts.strangerInDm(sender.id) };
  }

  /** Runs a handler; BotErrors become their one-line message, anything else a generic line. */
  async #guard<R extends Reply | undefined>(run: () => Promise<R>): Promise<R | Reply> {
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

/** Validates the raw arguments; a missing required one is answered with the command's usage. */
function parseArgs({ definition, path }: ResolvedCommand<Services>, raw: RawArgs): unknown {
  if (raw[""] !== undefined) {
    throw new BotError(ErrorCode.BadInput, texts.tooManyArguments(path, definition.params.length === 0));
  }
  if (definition.params.some((p) => p.required && (raw[p.name] ?? "").trim() === "")) {
    throw new BotError(ErrorCode.BadInput, texts.usage(usageOf(path, definition.params)));
  }
  const parsed = definition.args.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new BotError(ErrorCode.BadInput, parsed.error.issues[0]?.message ?? texts.invalidArguments(path));
}
