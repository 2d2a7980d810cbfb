import { ActionRowBuilder, ButtonBuilder, ButtonStyle, escapeMarkdown } from "discord.js";
import type { Reply } from "../../core/commands/command.ts";
import type { Button, OutgoingMessage } from "../../core/ports.ts";
import { truncate } from "../../core/text/truncate.ts";

/** Discord's limit on message content, in UTF-16 units. */
export const MAX_CONTENT = 2000;

const BUTTONS_PER_ROW = 5;
const MAX_ROWS = 5;
const MAX_LABEL = 80;

/** What discord.js takes for a message (send, edit, reply) from us. */
export interface MessagePayload {
  content: string;
  components: ActionRowBuilder<ButtonBuilder>[];
  // Nobody gets pinged by agent output or by names people typed (@everyone, <@id>).
  allowedMentions: { parse: [] };
}

/**
 * The content Discord should show: Markdown (agent output) passes through as Discord renders it;
 * plain text (the bot's own) is escaped so names like `my_thread_name` show literally, unless the
 * escapes would push it over the limit the core split it for.
 */
export function contentOf(text: string, format: "markdown" | "plain" | undefined): string {
  if (format === "markdown") return text;
  const escaped = escapeMarkdown(text, { heading: true, maskedLink: true });
  return escaped.length <= MAX_CONTENT ? escaped : text;
}

/** Buttons as action rows of up to five; custom_id is the button's opaque data. */
export function buttonRows(buttons: readonly Button[] | undefined): ActionRowBuilder<ButtonBuilder>[] {
  const rows: ActionRowBuilder<ButtonBuilder>[] = [];
  const list = (buttons ?? []).slice(0, BUTTONS_PER_ROW * MAX_ROWS);
  for (let i = 0; i < list.length; i += BUTTONS_PER_ROW) {
    const row = new ActionRowBuilder<ButtonBuilder>();
    for (const [offset, button] of list.slice(i, i + BUTTONS_PER_ROW).entries()) {
      row.addComponents(
        new ButtonBuilder()
          .setCustomId(button.data)
          .setLabel(truncate(button.label, MAX_LABEL))
          .setStyle(i + offset === 0 ? ButtonStyle.Primary : ButtonStyle.Secondary),
      );
    }
    rows.push(row);
  }
  return rows;
}

/** A core message or reply as a discord.js payload (an empty `buttons` clears the old ones). */
export function payloadOf(message: OutgoingMessage | Reply): MessagePayload {
  const components = buttonRows(message.buttons);
  const content = contentOf(message.text, message.format);
  return {
    // Discord refuses a message with neither content nor components.
    content: content.length === 0 && components.length === 0 ? "\u2026" : content,
    components,
    allowedMentions: { parse: [] },
  };
}
