/**
 * The whole bot in this process minus a platform SDK: the real core (composeBot), our protocol
 * client, and a store; messages go in through App.handleMessage / handleCommand exactly as a channel
 * hands them over, and answers come out through a console-platform ChannelPort that timestamps every
 * send and edit (performance.now()). No console I/O, so the figures are the core's and the client's.
 */
import { type Bot, composeBot } from "../../src/compose.ts";
import type { Reply } from "../../src/core/commands/command.ts";
import { silentLogger } from "../../src/core/log.ts";
import type { ResumePolicy } from "../../src/core/model.ts";
import type { Button, ChannelPort, OutgoingMessage, StorePort } from "../../src/core/ports.ts";
import { createOpenClawGateway, type OpenClawGateway } from "../../src/gateway/index.ts";

interface Waiter {
  text: string;
  resolve: (at: number) => void;
}

/** A console-platform channel that stamps and matches what the core shows. */
export class StampChannel implements ChannelPort {
  readonly platform = "console" as const;
  readonly maxMessageLength = 100_000;
  readonly minEditIntervalMs = 50;
  readonly #waiters = new Set<Waiter>();
  #nextId = 0;

  /** Resolves with the time a message (or edit) containing `text` is shown; register before it can happen. */
  expect(text: string, timeoutMs = 30_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no message containing ${JSON.stringify(text.slice(0, 60))} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        text,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Called with the buttons of each message posted with some (an approval, a notice). */
  onButtons: ((buttons: readonly Button[], at: number) => void) | undefined;

  async send(_conversation: string, message: OutgoingMessage): Promise<string> {
    this.#shown(message.text);
    if (message.buttons?.length) this.onButtons?.(message.buttons, performance.now());
    return String(++this.#nextId);
  }

  async edit(_conversation: string, _messageId: string, message: OutgoingMessage): Promise<void> {
    this.#shown(message.text);
  }

  async typing(): Promise<void> {}

  #shown(text: string): void {
    const at = performance.now();
    for (const waiter of this.#waiters) {
      if (!text.includes(waiter.text)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(at);
    }
  }
}

/** A running bot with its stamping channel. */
export interface CoreBot {
  bot: Bot;
  store: StorePort;
  client: OpenClawGateway;
  channel: StampChannel;
  /** A person's message in `conversation` (console:<name>), as a channel hands it to the core. */
  say(text: string, conversation?: string): Promise<Reply | undefined>;
  /** A command, e.g. `command("thread", "budget")`. */
  command(name: string, text: string, conversation?: string): Promise<Reply | undefined>;
  stop(): Promise<void>;
}

const SENDER = { id: "console:bench", name: "bench" };

/** Starts the bot on `store`, connected to the gateway at `url`; resolves once connected. */
export async function startCoreBot(options: {
  url: string;
  token: string;
  store: StorePort;
  policy?: ResumePolicy;
}): Promise<CoreBot> {
  const client = createOpenClawGateway({ url: options.url, token: options.token, logger: silentLogger });
  const bot = composeBot({
    store: options.store,
    gateway: client,
    logger: silentLogger,
    agentId: "main",
    policy: options.policy ?? "auto",
    allowedUsers: [],
    adminUsers: [],
  });
  const channel = new StampChannel();
  bot.channels.add(channel);
  await bot.start();
  const place = (conversation: string) => ({ conversation, direct: true });
  return {
    bot,
    store: options.store,
    client,
    channel,
    say: (text, conversation = "console:bench") =>
      bot.app.handleMessage({ place: place(conversation), sender: SENDER, text }),
    command: (name, text, conversation = "console:bench") =>
      bot.app.handleCommand({ place: place(conversation), sender: SENDER, name, text }),
    stop: () => bot.stop(),
  };
}
