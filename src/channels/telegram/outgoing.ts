import type { Api } from "grammy";
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import type { ConversationMove } from "../../core/app-port.ts";
import { BotError, ErrorCode } from "../../core/errors.ts";
import { telegramKey } from "../../core/keys/conversation-key.ts";
import type { Button, Logger, OutgoingFile, OutgoingMessage } from "../../core/ports.ts";
import { splitMessage } from "../../core/turns/split.ts";
import { type TelegramTarget, targetOf, threadParams } from "./conversation.ts";
import { errorFields, isNotModified, isParseError, platformError, upgradedTo } from "./errors.ts";
import { markdownToTelegramHtml, visibleLength } from "./render.ts";
import { upload } from "./uploads.ts";

/** Telegram's message limit in UTF-16 units (counted on the text after entity parsing). */
export const TELEGRAM_MAX_MESSAGE_LENGTH = 4096;

// Rows stay readable on a phone: at most three buttons and about 30 characters of labels each.
const ROW_BUTTONS = 3;
const ROW_CHARS = 30;

interface Body {
  text: string;
  parse_mode?: "HTML";
}

/** Telegram text for a message: HTML for Markdown when it fits, else the text as typed. */
function bodyOf(message: OutgoingMessage): Body {
  if (message.format !== "markdown") return { text: message.text };
  const html = markdownToTelegramHtml(message.text);
  const shown = visibleLength(html);
  if (shown === 0 || shown > TELEGRAM_MAX_MESSAGE_LENGTH) return { text: message.text };
  return { text: html, parse_mode: "HTML" };
}

/** Buttons as inline keyboard rows; callback data must be 1–64 bytes (Telegram's limit). */
export function inlineKeyboard(buttons: readonly Button[] | undefined): InlineKeyboardMarkup | undefined {
  if (!buttons || buttons.length === 0) return undefined;
  const rows: InlineKeyboardButton[][] = [];
  let row: InlineKeyboardButton[] = [];
  let chars = 0;
  for (const button of buttons) {
    const size = Buffer.byteLength(button.data, "utf8");
    if (size < 1 || size > 64) {
      throw new BotError(ErrorCode.BadInput, `Button data must be 1-64 bytes, got ${size}.`);
    }
    if (row.length > 0 && (row.length >= ROW_BUTTONS || chars + button.label.length > ROW_CHARS)) {
      rows.push(row);
      row = [];
      chars = 0;
    }
    row.push({ text: button.label, callback_data: button.data });
    chars += button.label.length;
  }
  rows.push(row);
  return { inline_keyboard: rows };
}

/**
 * Sends, edits, shows typing and posts files in Telegram conversations (the ChannelPort operations). A group
 * upgraded to a supergroup is followed: its old id is refused with the new one, and the call goes
 * there instead (an answer streaming at the moment of the upgrade carries on in the supergroup).
 */
export class TelegramOutgoing {
  readonly #api: Api;
  readonly #logger: Logger;
  readonly #token: string;
  /** Told once per upgrade learnt from a refusal, so the core moves what it keeps under the old id. */
  readonly #onUpgrade: (move: ConversationMove) => Promise<void>;
  /** Chat ids of groups that became supergroups → the supergroups' ids. */
  readonly #upgraded = new Map<string, string>();

  constructor(options: {
    api: Api;
    logger: Logger;
    token: string;
    onUpgrade?: ((move: ConversationMove) => Promise<void>) | undefined;
  }) {
    this.#api = options.api;
    this.#logger = options.logger;
    this.#token = options.token;
    this.#onUpgrade = options.onUpgrade ?? (async () => undefined);
  }

  /** Notes that group `oldChatId` lives on as supergroup `newChatId` (from the service messages). */
  noteUpgrade(oldChatId: string, newChatId: string): void {
    this.#upgraded.set(oldChatId, newChatId);
  }

  /** Posts a message (optionally as a reply); resolves with its message id. */
  async send(conversation: string, message: OutgoingMessage, replyTo?: number): Promise<string> {
    const sent = await this.#onChat("send a message", conversation, (target) => {
      const extra = {
        ...threadParams(target),
        reply_markup: inlineKeyboard(message.buttons),
        // A reply target stays behind in the old group: then the message is sent without it.
        reply_parameters:
          replyTo === undefined ? undefined : { message_id: replyTo, allow_sending_without_reply: true },
      };
      return this.#withFallback("send a message", target, message, (body) =>
        this.#api.sendMessage(target.chatId, body.text, { ...extra, parse_mode: body.parse_mode }),
      );
    });
    return String(sent.message_id);
  }

  /**
   * Answers a person's message or button with the core's reply. Agent answers arrive split by the
   * core; a reply is split here, in case it is longer than a message (buttons go on the last part).
   */
  async reply(conversation: string, message: OutgoingMessage, replyTo: number): Promise<void> {
    const parts = splitMessage(message.text, TELEGRAM_MAX_MESSAGE_LENGTH);
    for (const [index, text] of parts.entries()) {
      const last = index === parts.length - 1;
      await this.send(conversation, { ...message, text, buttons: last ? message.buttons : undefined }, replyTo);
    }
  }

  /** Replaces a message's text and buttons; an unchanged message is not an error. */
  async edit(conversation: string, messageId: string, message: OutgoingMessage): Promise<void> {
    const id = Number(messageId);
    const reply_markup = inlineKeyboard(message.buttons);
    try {
      await this.#onChat("edit a message", conversation, (target) =>
        this.#withFallback("edit a message", target, message, (body) =>
          this.#api.editMessageText(target.chatId, id, body.text, { parse_mode: body.parse_mode, reply_markup }),
        ),
      );
    } catch (error) {
      // The core never asks for an unchanged edit, but identical renderings of two texts can happen.
      if (!isNotModified(error)) throw error;
    }
  }

  /** Posts a file the agent sent (a photo or a document); resolves with its message id. */
  async sendFile(conversation: string, file: OutgoingFile): Promise<string> {
    const deps = { api: this.#api, logger: this.#logger, token: this.#token };
    const sent = await this.#onChat("send a file", conversation, (target) => upload(deps, target, file));
    return String(sent.message_id);
  }

  /** Shows "typing…" in the conversation (and its topic). */
  async typing(conversation: string): Promise<void> {
    try {
      await this.#onChat("show typing", conversation, (target) =>
        this.#api.sendChatAction(target.chatId, "typing", threadParams(target)),
      );
    } catch (error) {
      throw platformError("show typing", error);
    }
  }

  /**
   * Runs a call on the conversation's chat (or the supergroup it became); when Telegram answers that
   * the group was upgraded, notes it, tells the core, and runs the call once more on the supergroup.
   */
  async #onChat<T>(what: string, conversation: string, call: (target: TelegramTarget) => Promise<T>): Promise<T> {
    const target = targetOf(conversation);
    const chat = String(target.chatId);
    const known = this.#upgraded.get(chat);
    try {
      return await call(known === undefined ? target : { ...target, chatId: Number(known) });
    } catch (error) {
      const to = upgradedTo(error);
      if (to === undefined || known !== undefined) throw failure(what, error);
      this.noteUpgrade(chat, String(to));
      const move = { from: telegramKey.encode(chat), to: telegramKey.encode(String(to)) };
      await this.#onUpgrade(move).catch((moveError: unknown) => {
        this.#logger.error("telegram: could not move a group's state to its supergroup", {
          ...move,
          ...errorFields(moveError, this.#token),
        });
      });
      try {
        return await call({ ...target, chatId: to });
      } catch (retryError) {
        throw failure(what, retryError);
      }
    }
  }

  /** Runs `call` with the rendered body; when Telegram rejects the markup, again as plain text. */
  async #withFallback<T>(
    what: string,
    target: TelegramTarget,
    message: OutgoingMessage,
    call: (body: Body) => Promise<T>,
  ): Promise<T> {
    const body = bodyOf(message);
    try {
      return await call(body);
    } catch (error) {
      if (upgradedTo(error) !== undefined) throw error; // #onChat follows the group to its supergroup
      if (!(isParseError(error) && body.parse_mode)) throw failure(what, error);
      const fields = { chat: target.chatId, ...errorFields(error, this.#token) };
      this.#logger.warn("telegram: markup rejected, sending plain text", fields);
    }
    try {
      return await call({ text: message.text });
    } catch (error) {
      throw failure(what, error);
    }
  }
}

/** "Not modified" stays as it is (edit() swallows it); anything else becomes a PLATFORM error. */
function failure(what: string, error: unknown): unknown {
  return isNotModified(error) ? error : platformError(what, error);
}
