import type { CommandDefinition, Place, RawArgs, Reply, Sender } from "./commands/command.ts";
import type { InboundFile } from "./turns/attachments.ts";

/** A command a channel parsed: `/name args` in text, or a Discord slash command with options. */
export interface CommandInvocation {
  place: Place;
  sender: Sender;
  /** Command name, lower case, without `/` or `@botname`. */
  name: string;
  /** The subcommand a platform named apart from the text (Discord's SUB_COMMAND option). */
  subcommand?: string | undefined;
  /** Free text after the command (Telegram, console); mapped onto params by the core. */
  text?: string | undefined;
  /** Named options (Discord slash commands). */
  options?: RawArgs | undefined;
}

/** A plain message in a conversation. */
export interface MessageInvocation {
  place: Place;
  sender: Sender;
  text: string;
  /** Platform id of this message. */
  messageId?: string | undefined;
  /** Platform id of the message this one replies to (a reply to a restart notice resumes). */
  replyToMessageId?: string | undefined;
  /**
   * What came with the text that the agent cannot be given, as a person would name it ("a photo",
   * "a file"); such a message is answered and sent nowhere, rather than reaching the agent in part.
   */
  attachments?: readonly string[] | undefined;
  /** Files the agent can be given (photos, documents, voice and audio notes, videos), in order. */
  files?: readonly InboundFile[] | undefined;
}

/** A button press (Telegram callback_query, Discord component interaction). */
export interface ActionInvocation {
  place: Place;
  sender: Sender;
  /** The button's data string. */
  data: string;
  /** Platform id of the message that carried the button. */
  messageId?: string | undefined;
}

/** A platform gave a conversation a new id (a Telegram group upgraded to a supergroup). */
export interface ConversationMove {
  /** The conversation key until now. */
  from: string;
  /** Its key from now on (same platform). */
  to: string;
}

/** Autocomplete request for a command parameter (Discord). */
export interface AutocompleteInvocation {
  place: Place;
  sender: Sender;
  command: string;
  /** The subcommand whose param is focused, if any. */
  subcommand?: string | undefined;
  param: string;
  query: string;
}

/**
 * The core as channels see it: they translate platform input into invocations and render the
 * replies; answers to messages stream back later through ChannelPort.
 */
export interface AppPort {
  /** The command definitions, for Telegram's menu and Discord's slash registration. */
  readonly commands: readonly CommandDefinition<unknown, unknown>[];
  /** Runs a command. Undefined means: ignore silently (e.g. a stranger in a group). */
  handleCommand(invocation: CommandInvocation): Promise<Reply | undefined>;
  /** Accepts a message; the reply (if any) is an immediate acknowledgement, e.g. "queued". */
  handleMessage(invocation: MessageInvocation): Promise<Reply | undefined>;
  /** Handles a button; the reply is a short answer to show the presser (toast / ephemeral). */
  handleAction(invocation: ActionInvocation): Promise<Reply>;
  /** Up to 25 thread names matching the query. */
  autocomplete(invocation: AutocompleteInvocation): Promise<string[]>;
  /** Moves what the bot keeps about a conversation (its thread binding first) to the conversation's new key. */
  conversationMoved(move: ConversationMove): Promise<void>;
}
