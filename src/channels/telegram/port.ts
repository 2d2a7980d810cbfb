import type { Api } from "grammy";
import type { ChannelPort } from "../../core/ports.ts";
import { TELEGRAM_MAX_MESSAGE_LENGTH, type TelegramOutgoing } from "./outgoing.ts";
import { renameTopic } from "./topic-rename.ts";
import { TELEGRAM_UPLOAD_MAX_BYTES } from "./uploads.ts";

/** Shortest gap between two edits of one message that Telegram tolerates in practice. */
const MIN_EDIT_INTERVAL_MS = 1000;

/** ChannelPort over the Bot API: send, edit, typing and files in any Telegram conversation. */
export function createTelegramPort(outgoing: TelegramOutgoing, api: Api): ChannelPort {
  return {
    platform: "telegram",
    maxMessageLength: TELEGRAM_MAX_MESSAGE_LENGTH,
    minEditIntervalMs: MIN_EDIT_INTERVAL_MS,
    send: (conversation, message) => outgoing.send(conversation, message),
    edit: (conversation, messageId, message) => outgoing.edit(conversation, messageId, message),
    typing: (conversation) => outgoing.typing(conversation),
    maxFileBytes: TELEGRAM_UPLOAD_MAX_BYTES,
    sendFile: (conversation, file) => outgoing.sendFile(conversation, file),
    renameThread: (conversation, name) => renameTopic(api, conversation, name),
  };
}
