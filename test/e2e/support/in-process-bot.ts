/**
 * The whole bot in the test process against a real gateway: the real core, our protocol client, the lowdb
 * store on a temp file, and a RecordingChannel standing in for a platform (conversation keys console:*).
 */
import { type Bot, composeBot } from "../../../src/compose.ts";
import type { Reply } from "../../../src/core/commands/command.ts";
import { silentLogger } from "../../../src/core/log.ts";
import type { ResumePolicy } from "../../../src/core/model.ts";
import { createOpenClawGateway, type OpenClawGateway } from "../../../src/gateway/index.ts";
import { type JsonStore, openJsonStore } from "../../../src/store/index.ts";
import { RecordingChannel } from "../../fakes/recording-channel.ts";
import type { Gateway } from "../harness/gateway.ts";

/** A running in-process bot. */
export interface InProcessBot {
  bot: Bot;
  channel: RecordingChannel;
  store: JsonStore;
  client: OpenClawGateway;
  /** A person's message in `conversation` (console:<name>). */
  say(conversation: string, text: string): Promise<Reply | undefined>;
  /** A command (`name` without slash) with free text, as the console sends it. */
  command(conversation: string, name: string, text?: string): Promise<Reply | undefined>;
  /** A button press. */
  press(conversation: string, data: string): Promise<Reply>;
  /** Stops the client and closes the store. */
  stop(): Promise<void>;
}

const SENDER = { id: "console:tester", name: "tester" };

/** Starts a bot on `storePath` connected to `gateway`; resolves once connected. */
export async function startInProcessBot(options: {
  gateway: Gateway;
  storePath: string;
  policy: ResumePolicy;
  channel?: RecordingChannel;
}): Promise<InProcessBot> {
  const store = await openJsonStore({ path: options.storePath });
  const client = createOpenClawGateway({
    url: options.gateway.url,
    token: options.gateway.token,
    logger: silentLogger,
  });
  const bot = composeBot({
    store,
    gateway: client,
    logger: silentLogger,
    agentId: "main",
    policy: options.policy,
    allowedUsers: [],
    adminUsers: [],
  });
  const channel = options.channel ?? new RecordingChannel({ platform: "console", minEditIntervalMs: 50 });
  bot.channels.add(channel);
  await bot.start();
  const place = (conversation: string) => ({ conversation, direct: true });
  return {
    bot,
    channel,
    store,
    client,
    say: (conversation, text) => bot.app.handleMessage({ place: place(conversation), sender: SENDER, text }),
    command: (conversation, name, text = "") =>
      bot.app.handleCommand({ place: place(conversation), sender: SENDER, name, text }),
    press: (conversation, data) => bot.app.handleAction({ place: place(conversation), sender: SENDER, data }),
    stop: async () => {
      await bot.stop();
      await store.close();
    },
  };
}
