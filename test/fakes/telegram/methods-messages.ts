import { type FakeEntity, parseTelegramHtml } from "./html.ts";
import { badRequest, type ChatState, type FakeMessage, type FakeWorld, type InlineMarkup, now } from "./state.ts";

/** Parameters of a Bot API call, as decoded from the JSON body. */
export type Params = Record<string, unknown>;

/** A Bot API method the fake implements. */
export type Method = (world: FakeWorld, params: Params) => unknown;

/** Telegram's limit on message text, counted in UTF-16 units after entity parsing. */
export const MAX_TEXT = 4096;

const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

interface Rendered {
  text: string;
  entities: FakeEntity[] | undefined;
  html: string | undefined;
}

/** Visible text and entities of a text + parse_mode pair, with Telegram's errors. */
function renderText(params: Params): Rendered {
  const raw = typeof params.text === "string" ? params.text : "";
  let rendered: Rendered = { text: raw, entities: undefined, html: undefined };
  if (params.parse_mode === "HTML") {
    const parsed = parseTelegramHtml(raw);
    if (!parsed.ok) throw badRequest(parsed.description.replace(/^Bad Request: /, ""));
    rendered = { text: parsed.text, entities: parsed.entities.length > 0 ? parsed.entities : undefined, html: raw };
  } else if (params.parse_mode !== undefined) {
    throw badRequest("unsupported parse_mode");
  }
  if (rendered.text.trim().length === 0) throw badRequest("message text is empty");
  if (rendered.text.length > MAX_TEXT) throw badRequest("message is too long");
  return rendered;
}

/** Validates an inline keyboard like Telegram (callback_data is 1–64 bytes). */
function markupOf(params: Params): InlineMarkup | undefined {
  const markup = params.reply_markup as InlineMarkup | undefined;
  if (markup === undefined) return undefined;
  if (!Array.isArray(markup.inline_keyboard)) throw badRequest("unsupported reply_markup (fake models inline only)");
  for (const row of markup.inline_keyboard) {
    for (const button of row) {
      if (!button.text) throw badRequest("BUTTON_TEXT_INVALID");
      const size = Buffer.byteLength(button.callback_data ?? "", "utf8");
      if (button.url === undefined && (size < 1 || size > 64)) throw badRequest("BUTTON_DATA_INVALID");
    }
  }
  return markup.inline_keyboard.length > 0 ? markup : undefined;
}

/** Thread fields for a message_thread_id, with Telegram's errors for bad topics. */
export function threadOf(chat: ChatState, params: Params): Pick<FakeMessage, "message_thread_id" | "is_topic_message"> {
  if (params.message_thread_id === undefined) return {};
  const id = Number(params.message_thread_id);
  const topic = chat.chat.is_forum ? chat.topics.get(id) : undefined;
  if (!topic || topic.deleted) throw badRequest("message thread not found");
  if (topic.closed) throw badRequest("TOPIC_CLOSED");
  return { message_thread_id: id, is_topic_message: true };
}

function replyTargetOf(chat: ChatState, params: Params): FakeMessage | undefined {
  const reply = params.reply_parameters as { message_id?: number; allow_sending_without_reply?: boolean } | undefined;
  const id = reply?.message_id ?? (params.reply_to_message_id as number | undefined);
  if (id === undefined) return undefined;
  const target = chat.messages.get(Number(id));
  if (!target && !reply?.allow_sending_without_reply) throw badRequest("message to be replied not found");
  return target?.message;
}

const sendMessage: Method = (world, params) => {
  const chat = world.chat(params.chat_id);
  const thread = threadOf(chat, params);
  const rendered = renderText(params);
  const reply_markup = markupOf(params);
  const reply_to_message = replyTargetOf(chat, params);
  const stored = world.store(
    chat,
    { from: world.bot, text: rendered.text, entities: rendered.entities, ...thread, reply_to_message, reply_markup },
    rendered.html,
  );
  return stored.message;
};

function editable(world: FakeWorld, params: Params) {
  const chat = world.chat(params.chat_id);
  const stored = chat.messages.get(Number(params.message_id));
  if (!stored) throw badRequest("message to edit not found");
  if (stored.message.from?.id !== world.bot.id) throw badRequest("message can't be edited");
  return stored;
}

function sameMarkup(a: InlineMarkup | undefined, b: InlineMarkup | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

const editMessageText: Method = (world, params) => {
  const stored = editable(world, params);
  const rendered = renderText(params);
  const markup = markupOf(params);
  const current = stored.message;
  const sameEntities = JSON.stringify(current.entities ?? []) === JSON.stringify(rendered.entities ?? []);
  if (current.text === rendered.text && sameEntities && sameMarkup(current.reply_markup, markup)) {
    throw badRequest(NOT_MODIFIED);
  }
  Object.assign(current, { text: rendered.text, entities: rendered.entities, reply_markup: markup, edit_date: now() });
  stored.history.push({ text: rendered.text, html: rendered.html, reply_markup: markup, at: Date.now() });
  return current;
};

const editMessageReplyMarkup: Method = (world, params) => {
  const stored = editable(world, params);
  const markup = markupOf(params);
  if (sameMarkup(stored.message.reply_markup, markup)) throw badRequest(NOT_MODIFIED);
  stored.message.reply_markup = markup;
  const last = stored.history.at(-1);
  stored.history.push({ text: stored.message.text ?? "", html: last?.html, reply_markup: markup, at: Date.now() });
  return stored.message;
};

const sendChatAction: Method = (world, params) => {
  const chat = world.chat(params.chat_id);
  threadOf(chat, params);
  if (params.action !== "typing") throw badRequest("wrong parameter action in request (fake models typing only)");
  return true;
};

const answerCallbackQuery: Method = (world, params) => {
  const query = world.callbackQueries.get(String(params.callback_query_id));
  if (!query || query.answered) {
    throw badRequest("query is too old and response timeout expired or query ID is invalid");
  }
  const text = params.text as string | undefined;
  if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
  query.answered = true;
  query.text = text;
  return true;
};

/** Message-related methods: send, edit, typing, callback answers. */
export const messageMethods: Record<string, Method> = {
  sendMessage,
  editMessageText,
  editMessageReplyMarkup,
  sendChatAction,
  answerCallbackQuery,
};
