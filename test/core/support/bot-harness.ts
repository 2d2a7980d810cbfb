import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { type Bot, composeBot } from "../../../src/compose.ts";
import type { Reply } from "../../../src/core/commands/command.ts";
import type { ResumePolicy, StoreState } from "../../../src/core/model.ts";
import type { BlobStore, MergePatch, StorePort, StoreWant, ThreadQuery } from "../../../src/core/ports.ts";
import type { InboundFile } from "../../../src/core/turns/attachments.ts";
import { createOpenClawGateway, type OpenClawGateway } from "../../../src/gateway/index.ts";
import { MemoryStore, openJsonStore } from "../../../src/store/index.ts";
import { type FakeGatewayOptions, type FakeOpenClawGateway, startFakeGateway } from "../../fakes/fake-gateway.ts";
import { RecordingChannel } from "../../fakes/recording-channel.ts";
import { type RecordingLogger, recordingLogger } from "../../fakes/recording-logger.ts";
import { ForgetfulStore } from "../../store/forgetful-store.ts";

export { recordingLogger };

/** A plain allowed user, an admin, and someone on no list (telegram-shaped ids). */
export const USERS = { allowed: "telegram:200", admin: "telegram:300", stranger: "telegram:999" } as const;

/** The person at the terminal: the console is always allowed (and an admin). */
export const CONSOLE_USER = "console:tester";

/** A store wrapper that notes, for each update once it is durable, how many chat.send requests the gateway had seen. */
export class ObservedStore implements StorePort {
  readonly inner: StorePort;
  readonly durable: { patch: MergePatch<StoreState>; chatSendsSeen: number }[] = [];
  readonly #chatSends: () => number;

  constructor(inner: StorePort, chatSends: () => number) {
    this.inner = inner;
    this.#chatSends = chatSends;
  }

  get state(): Readonly<StoreState> {
    return this.inner.state;
  }

  async update(patch: MergePatch<StoreState>): Promise<void> {
    await this.inner.update(patch);
    this.durable.push({ patch: structuredClone(patch), chatSendsSeen: this.#chatSends() });
  }

  load(want: StoreWant): Promise<void> {
    return this.inner.load(want);
  }

  findThreads(query: ThreadQuery): Promise<string[]> {
    return this.inner.findThreads(query);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The table under a store a test made or a bot before used: a MemoryStore, or what a TableView shows. */
function tableOf(store: StorePort): MemoryStore | undefined {
  if (store instanceof MemoryStore) return store;
  if (store instanceof TableView) return store.table;
  return undefined;
}

/**
 * What a test reads and writes in forgetful mode: reads see the table (everything stored, as a look
 * into Postgres would), writes go through the bot's own store so its memory stays true.
 */
export class TableView implements StorePort {
  readonly table: MemoryStore;
  readonly #core: StorePort;

  constructor(table: MemoryStore, core: StorePort) {
    this.table = table;
    this.#core = core;
  }

  get state(): Readonly<StoreState> {
    return this.table.state;
  }

  update(patch: MergePatch<StoreState>): Promise<void> {
    return this.#core.update(patch);
  }

  load(want: StoreWant): Promise<void> {
    return this.#core.load(want);
  }

  findThreads(query: ThreadQuery): Promise<string[]> {
    return this.#core.findThreads(query);
  }

  flush(): Promise<void> {
    return this.#core.flush();
  }

  close(): Promise<void> {
    return this.#core.close();
  }
}

/** Options of startBot. */
export interface StartOptions {
  /** Reuse a running fake gateway (a second bot, or a bot restart); else a new one is started. */
  gw?: FakeOpenClawGateway | undefined;
  gateway?: FakeGatewayOptions | undefined;
  /** Reuse a store (MemoryStore by default). */
  store?: StorePort | undefined;
  /** Open a JSON store on this file instead. */
  storePath?: string | undefined;
  policy?: ResumePolicy | undefined;
  maxMessageLength?: number | undefined;
  minEditIntervalMs?: number | undefined;
  /** Seed the store before the bot is composed (e.g. a journal entry written by a "previous" bot). */
  seed?: ((store: StorePort) => Promise<void>) | undefined;
  /** Wrap the store (e.g. ObservedStore). */
  wrapStore?: ((store: StorePort, gw: FakeOpenClawGateway) => StorePort) | undefined;
  /** Where files of turns are kept (in memory by default; a FileBlobStore to outlive a bot restart). */
  blobs?: BlobStore | undefined;
  /** Call bot.start() and wait for the first reconciliation (default true). */
  start?: boolean | undefined;
  /** The platforms of an earlier bot (a restart: the chats keep what it posted); new ones by default. */
  channels?: Pick<BotUnderTest, "console" | "telegram"> | undefined;
}

/** The whole core (composeBot) on the real gateway client, a fake gateway and recording channels. */
export class BotUnderTest {
  readonly gw: FakeOpenClawGateway;
  readonly bot: Bot;
  readonly store: StorePort;
  readonly client: OpenClawGateway;
  readonly console: RecordingChannel;
  readonly telegram: RecordingChannel;
  readonly logger: RecordingLogger;
  /** In forgetful mode, the bot's store: each entry point below starts with no thread in memory. */
  readonly #forgetful: ForgetfulStore | undefined;
  #stopped = false;

  constructor(parts: {
    gw: FakeOpenClawGateway;
    bot: Bot;
    store: StorePort;
    client: OpenClawGateway;
    console: RecordingChannel;
    telegram: RecordingChannel;
    logger: RecordingLogger;
    forgetful?: ForgetfulStore | undefined;
  }) {
    this.gw = parts.gw;
    this.bot = parts.bot;
    this.store = parts.store;
    this.client = parts.client;
    this.console = parts.console;
    this.telegram = parts.telegram;
    this.logger = parts.logger;
    this.#forgetful = parts.forgetful;
  }

  /** The recording channel serving a conversation key. */
  channelOf(conversation: string): RecordingChannel {
    return conversation.startsWith("telegram:") ? this.telegram : this.console;
  }

  /** Runs `/name args` typed in `conversation`. */
  command(
    conversation: string,
    line: string,
    options: { sender?: string; direct?: boolean } = {},
  ): Promise<Reply | undefined> {
    const match = /^\/([A-Za-z0-9_]{1,32})(?:\s+([\s\S]*))?$/.exec(line);
    if (!match?.[1]) throw new Error(`not a command line: ${line}`);
    this.#forgetful?.forget();
    return this.bot.app.handleCommand({
      place: place(conversation, options.direct),
      sender: { id: options.sender ?? defaultSender(conversation) },
      name: match[1].toLowerCase(),
      text: match[2] ?? "",
    });
  }

  /** A plain message in `conversation`. */
  message(
    conversation: string,
    text: string,
    options: { sender?: string; direct?: boolean; replyTo?: string; files?: InboundFile[] } = {},
  ): Promise<Reply | undefined> {
    this.#forgetful?.forget();
    return this.bot.app.handleMessage({
      place: place(conversation, options.direct),
      sender: { id: options.sender ?? defaultSender(conversation) },
      text,
      replyToMessageId: options.replyTo,
      files: options.files,
    });
  }

  /** A button press with `data` in `conversation`. */
  press(conversation: string, data: string, options: { sender?: string; messageId?: string } = {}): Promise<Reply> {
    this.#forgetful?.forget();
    return this.bot.app.handleAction({
      place: place(conversation),
      sender: { id: options.sender ?? defaultSender(conversation) },
      data,
      messageId: options.messageId,
    });
  }

  /** Resolves when some message in `conversation` shows exactly `text` (after any edits). */
  async says(conversation: string, text: string, timeoutMs = 5_000): Promise<void> {
    const channel = this.channelOf(conversation);
    await channel
      .waitFor(() => channel.in(conversation).some((m) => m.text === text), timeoutMs)
      .catch(() => {
        throw new Error(
          `"${text}" never appeared in ${conversation}; it shows: ${JSON.stringify(channel.in(conversation).map((m) => m.text))}`,
        );
      });
  }

  /** Messages the bot showed in a conversation whose current text matches. */
  shown(conversation: string, pattern: RegExp | string) {
    return this.channelOf(conversation)
      .in(conversation)
      .filter((m) => (typeof pattern === "string" ? m.text.includes(pattern) : pattern.test(m.text)));
  }

  /** Warnings the reply stream logged when a platform call failed (e.g. an edit that changed nothing). */
  streamProblems(): string[] {
    return this.logger.lines.filter((l) => l.includes("reply stream") || l.includes("could not deliver an answer"));
  }

  /** Stops this bot (gateway client and outbox) and closes its store; the fake gateway keeps running. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.bot.relay.release();
    await this.bot.stop().catch(() => undefined);
    await this.store.close().catch(() => undefined);
  }
}

function place(conversation: string, direct?: boolean) {
  // Telegram: positive chat ids are private chats, negative ones groups.
  const isDirect = direct ?? (conversation.startsWith("console:") || /^telegram:\d+$/.test(conversation));
  return { conversation, direct: isDirect };
}

function defaultSender(conversation: string): string {
  return conversation.startsWith("telegram:") ? USERS.allowed : CONSOLE_USER;
}

const bots: BotUnderTest[] = [];
const gateways: FakeOpenClawGateway[] = [];
const dirs: string[] = [];

/** A fresh temp dir, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tk-core-"));
  dirs.push(dir);
  return dir;
}

/** Starts a fake gateway on 127.0.0.1:0 (stopped after the test). */
export async function startGateway(options: FakeGatewayOptions = {}): Promise<FakeOpenClawGateway> {
  const gw = await startFakeGateway(options);
  gateways.push(gw);
  return gw;
}

/** The whole bot on fakes; everything is stopped after the test. */
export async function startBot(options: StartOptions = {}): Promise<BotUnderTest> {
  const gw = options.gw ?? (await startGateway(options.gateway));
  const logger = recordingLogger();
  let store: StorePort =
    options.store ?? (options.storePath ? await openJsonStore({ path: options.storePath }) : new MemoryStore());
  if (options.seed) await options.seed(store);
  // TK_TEST_STORE=forgetful: the core reads threads on demand, as on Postgres; the test sees the table.
  const table = process.env.TK_TEST_STORE === "forgetful" ? tableOf(store) : undefined;
  const forgetful = table ? new ForgetfulStore(table) : undefined;
  let core: StorePort = forgetful ?? store;
  if (table) store = new TableView(table, core);
  if (options.wrapStore) core = options.wrapStore(core, gw);
  const client = createOpenClawGateway({
    url: gw.url,
    token: gw.token,
    logger,
    backoffBaseMs: 20,
    backoffMaxMs: 100,
    requestTimeoutMs: 3_000,
  });
  const bot = composeBot({
    store: core,
    gateway: client,
    logger,
    agentId: "main",
    policy: options.policy ?? "auto",
    allowedUsers: [USERS.allowed],
    adminUsers: [USERS.admin],
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 30))),
    blobs: options.blobs,
  });
  const recording = (platform: "console" | "telegram") =>
    new RecordingChannel({
      platform,
      maxMessageLength: options.maxMessageLength ?? 4096,
      minEditIntervalMs: options.minEditIntervalMs ?? 10,
    });
  const consoleChannel = options.channels?.console ?? recording("console");
  const telegram = options.channels?.telegram ?? recording("telegram");
  bot.channels.add(consoleChannel);
  bot.channels.add(telegram);
  const world = new BotUnderTest({ gw, bot, store, client, console: consoleChannel, telegram, logger, forgetful });
  bots.push(world);
  if (options.start ?? true) {
    const subscribed = gw.requestsOf("sessions.subscribe").length;
    await bot.start();
    await until(() => gw.requestsOf("sessions.subscribe").length > subscribed, "sessions.subscribe");
    await bot.recovery.idle();
  }
  return world;
}

/** Polls `predicate` every 5 ms until it returns a truthy value. */
export async function until<T>(predicate: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** chat.send params the fake received, in order, with the boot each went to. */
export function chatSends(gw: FakeOpenClawGateway) {
  return gw.requestsOf("chat.send").map((r) => ({
    ...(r.params as { sessionKey: string; message: string; idempotencyKey: string; deliver?: boolean }),
    bootId: r.bootId,
    at: r.at,
  }));
}

/** Idempotency keys sent to more than one gateway boot (must stay empty). */
export function keysSentOnTwoBoots(gw: FakeOpenClawGateway): string[] {
  const boots = new Map<string, Set<string>>();
  for (const send of chatSends(gw)) {
    const set = boots.get(send.idempotencyKey) ?? new Set<string>();
    set.add(send.bootId);
    boots.set(send.idempotencyKey, set);
  }
  return [...boots].filter(([, set]) => set.size > 1).map(([key]) => key);
}

/** Waits until nothing is journaled or queued in the outbox. */
export async function quiet(world: BotUnderTest, timeoutMs = 5_000): Promise<void> {
  await until(
    () => Object.keys(world.store.state.journal).length === 0 && Object.keys(world.store.state.outbox).length === 0,
    "an empty journal and outbox",
    timeoutMs,
  );
}

afterEach(async () => {
  for (const world of bots.splice(0)) await world.stop();
  for (const gw of gateways.splice(0)) await gw.stop();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The messages with buttons (restart notices) shown in a conversation. */
export function notices(world: BotUnderTest, conversation: string) {
  return world
    .channelOf(conversation)
    .in(conversation)
    .filter((m) => m.buttons.length > 0);
}
