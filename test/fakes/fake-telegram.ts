/**
 * A fake Telegram Bot API server on 127.0.0.1 for tests that run the real grammY over HTTP.
 * It behaves like the Bot API where the bot depends on it: `/bot<token>/<method>` with a token check
 * (401), real long polling (offset acknowledges, timeout holds, a newer poll ends an older one with
 * 409), webhooks (setWebhook: each update POSTed with the secret header and retried until a 2xx;
 * getUpdates then answers 409), Telegram's limits and error texts (4096 characters, "message is not modified", replies to a
 * missing message, 429 with retry_after), forum topics, files (getFile, the download route, uploads).
 * Usage:
 *   const tg = await FakeTelegram.start();
 *   new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
 *   tg.userMessage(chatId, alice, "/thread x"); await tg.waitForCall("sendMessage");
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  album,
  callbackQuery,
  channelPost,
  migrateChat,
  type UserMessageOptions,
  userMessage,
} from "./telegram/builders.ts";
import { type Fault, FaultPlan } from "./telegram/faults.ts";
import { readParams, reply, serveFile } from "./telegram/http.ts";
import type { FakeMedia } from "./telegram/media.ts";
import { chatMethods } from "./telegram/methods-chats.ts";
import { mediaMethods } from "./telegram/methods-media.ts";
import { type Method, messageMethods, type Params } from "./telegram/methods-messages.ts";
import {
  ApiFailure,
  type FakeChat,
  type FakeMessage,
  type FakeTopic,
  type FakeUser,
  FakeWorld,
  type MemberStatus,
  type StoredMessage,
} from "./telegram/state.ts";
import { type FakeUpdate, UpdateQueue } from "./telegram/updates.ts";
import { WebhookDelivery } from "./telegram/webhook.ts";

export type { UploadedFile } from "./multipart.ts";
export type { Fault } from "./telegram/faults.ts";
export type { FakeMedia, FakeMediaKind, FakeMediaSpec } from "./telegram/media.ts";
export type { FakeChat, FakeMessage, FakeTopic, FakeUser, MemberStatus, StoredMessage } from "./telegram/state.ts";
export type { FakeUpdate } from "./telegram/updates.ts";
export type { Delivery, WebhookDeliveryOptions, WebhookSetting } from "./telegram/webhook.ts";

/** One recorded Bot API call. */
export interface RecordedCall {
  method: string;
  params: Params;
  /** When the request arrived (Date.now()). */
  at: number;
  ok: boolean;
  error?: { code: number; description: string } | undefined;
}

const METHODS: Record<string, Method> = { ...chatMethods, ...messageMethods, ...mediaMethods };
const DEFAULT_TOKEN = "7000000001:AAFakeTokenForTestsOnly_abcdefghijklmn";
const WEBHOOK_CONFLICT =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

/** The fake Bot API server: state, recorded calls, fault injection and update builders. */
export class FakeTelegram {
  readonly token: string;
  readonly apiRoot: string;
  readonly world: FakeWorld;
  readonly updates = new UpdateQueue();
  /** Webhook delivery (active after setWebhook); its `options` set load balancing, duplicates and retries. */
  readonly webhook = new WebhookDelivery(this.updates);
  /** Every call, in arrival order (getUpdates included). */
  readonly calls: RecordedCall[] = [];
  /** Methods the bot called that the fake does not implement; tests assert it stays empty. */
  readonly unimplemented: string[] = [];
  readonly #server: Server;
  readonly #listeners = new Set<() => void>();
  readonly #faults = new FaultPlan();

  private constructor(server: Server, token: string, bot: FakeUser) {
    this.#server = server;
    this.token = token;
    this.world = new FakeWorld(bot);
    const { port } = server.address() as AddressInfo;
    this.apiRoot = `http://127.0.0.1:${port}`;
  }

  /** Starts a fake on 127.0.0.1 with a free port. */
  static async start(options: { token?: string; bot?: Partial<FakeUser> } = {}): Promise<FakeTelegram> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const bot = { id: 7000000001, is_bot: true, first_name: "Keeper", username: "keeper_bot", ...options.bot };
    const fake = new FakeTelegram(server, options.token ?? DEFAULT_TOKEN, bot);
    server.on("request", (req, res) => void fake.#handle(req, res));
    return fake;
  }

  /** The bot's own user. */
  get bot(): FakeUser {
    return this.world.bot;
  }

  /** Ends held polls and closes the server and its connections. */
  async stop(): Promise<void> {
    await this.webhook.delete();
    this.updates.release();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /* ───────────── seeding ───────────── */

  /** Adds a chat; `botCanManageTopics: false` makes topic calls fail for lack of rights. */
  addChat(chat: FakeChat, options: { botCanManageTopics?: boolean } = {}): FakeChat {
    this.world.addChat(chat, options);
    return chat;
  }

  /** Seeds a member's status for getChatMember / getChatAdministrators. */
  setMember(chatId: number, user: FakeUser, status: MemberStatus): void {
    this.world.chat(chatId).members.set(user.id, { status, user });
  }

  /** Creates a topic as a person would (with its service message); returns it. */
  createTopic(chatId: number, name: string, creator: FakeUser): FakeTopic {
    return this.world.createTopic(this.world.chat(chatId), name, creator);
  }

  /** The topic with this id, if any. */
  topic(chatId: number, topicId: number): FakeTopic | undefined {
    return this.world.chat(chatId).topics.get(topicId);
  }

  /** Every topic of a chat, in creation order. */
  topics(chatId: number): FakeTopic[] {
    return [...this.world.chat(chatId).topics.values()];
  }

  /* ───────────── updates ───────────── */

  /** A user writes `text` (commands get bot_command entities); returns the stored message. */
  userMessage(chatId: number, from: FakeUser, text: string, options: UserMessageOptions = {}): FakeMessage {
    return userMessage(this.world, this.updates, chatId, from, text, options);
  }

  /** A user sends an album (one message per item, one media_group_id); the caption goes on the first item. */
  album(
    chatId: number,
    from: FakeUser,
    items: readonly FakeMedia[],
    options: { caption?: string; captionIndex?: number; topicId?: number } = {},
  ): FakeMessage[] {
    return album(this.world, this.updates, chatId, from, items, options);
  }

  /** A user presses a button under `message`; returns the callback query id. */
  callbackQuery(from: FakeUser, message: FakeMessage, data: string | undefined): string {
    return callbackQuery(this.world, this.updates, from, message, data);
  }

  /** A person upgrades a group to a supergroup with a new id; both chats get the service message. */
  migrateChat(
    chatId: number,
    by: FakeUser,
    upgrade: { newId: number; isForum?: boolean; announce?: boolean },
  ): FakeChat {
    return migrateChat(this.world, this.updates, chatId, by, upgrade);
  }

  /** A post in a channel. */
  channelPost(chat: FakeChat, text: string): FakeMessage {
    return channelPost(this.world, this.updates, chat, text);
  }

  /** Queues any raw update payload. */
  pushUpdate(payload: Record<string, unknown>): FakeUpdate {
    return this.updates.push(payload);
  }

  /* ───────────── faults ───────────── */

  /** Errors to answer next, first match wins (one use each). */
  get faults(): Fault[] {
    return this.#faults.queued;
  }

  /** From now on every `n`th call (getUpdates excluded unless listed) fails with 429 retry_after. */
  failEvery(n: number, options: { retryAfter?: number; methods?: readonly string[] } = {}): void {
    this.#faults.failEvery(n, options);
  }

  /** Stops failEvery and forgets queued faults. */
  clearFaults(): void {
    this.#faults.clear();
  }

  /* ───────────── inspection ───────────── */

  /** Params of every successful call of `method`. */
  sent(method: string): Params[] {
    return this.calls.filter((c) => c.ok && c.method === method).map((c) => c.params);
  }

  /** The bytes of a file Telegram keeps (one a person sent, or one the bot uploaded). */
  fileBytes(fileId: string): Buffer | undefined {
    return this.world.files.get(fileId)?.bytes;
  }

  /** Every stored message of a chat, oldest first, with its versions. */
  messages(chatId: number): StoredMessage[] {
    return [...this.world.chat(chatId).messages.values()];
  }

  /** Messages the bot posted in a chat (optionally in one topic, `undefined` = outside topics). */
  botMessages(chatId: number, topicId?: number | "any"): StoredMessage[] {
    return this.messages(chatId).filter(
      (m) =>
        m.message.from?.id === this.bot.id &&
        m.message.forum_topic_created === undefined &&
        (topicId === "any" || m.message.message_thread_id === topicId),
    );
  }

  /** Resolves with the first value `probe` returns that is not undefined/false, re-checked on every call. */
  waitUntil<T>(probe: () => T | undefined | false, options: { timeoutMs?: number; what?: string } = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value === undefined || value === false) return;
        finish();
        resolve(value);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`FakeTelegram: timed out after ${timeoutMs} ms waiting for ${options.what ?? "condition"}`));
      }, timeoutMs);
      const tick = setInterval(check, 20);
      const finish = () => {
        clearTimeout(timer);
        clearInterval(tick);
        this.#listeners.delete(check);
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** Waits for a successful call of `method` (at index ≥ `from`) matching `match`. */
  waitForCall(method: string, match: (params: Params) => boolean = () => true, from = 0): Promise<RecordedCall> {
    return this.waitUntil(() => this.calls.slice(from).find((c) => c.ok && c.method === method && match(c.params)), {
      what: `a ${method} call`,
    });
  }

  /** Waits until the bot has confirmed (by a later getUpdates offset) the update with this id. */
  waitForConfirmed(updateId: number): Promise<true> {
    return this.waitUntil(() => this.updates.confirmedOffset > updateId || undefined, {
      what: `offset past update ${updateId}`,
    });
  }

  /* ───────────── HTTP ───────────── */

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const path = new URL(req.url ?? "/", this.apiRoot).pathname;
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
    if (download) return serveFile(res, download[1] === this.token ? this.world.files : undefined, download[2] ?? "");
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(path);
    const { params, tooLarge } = await readParams(req);
    if (!match || match[1] !== this.token) {
      reply(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
      return;
    }
    const method = match[2] ?? "";
    try {
      // Telegram's front end refuses an upload over 50 MB before the Bot API sees it.
      if (tooLarge) throw new ApiFailure(413, "Request Entity Too Large");
      const result = await this.#run(method, params, res);
      this.#record({ method, params, at, ok: true });
      reply(res, 200, { ok: true, result });
    } catch (error) {
      const failure = error instanceof ApiFailure ? error : new ApiFailure(500, `Internal Server Error: ${error}`);
      this.#record({ method, params, at, ok: false, error: failure });
      const body = { ok: false, error_code: failure.code, description: failure.description };
      reply(res, failure.code, failure.parameters ? { ...body, parameters: failure.parameters } : body);
    }
  }

  async #run(method: string, params: Params, res: ServerResponse): Promise<unknown> {
    const fault = this.#faults.take(method);
    if (fault) throw new ApiFailure(fault.code, fault.description, fault.parameters);
    const webhook = await this.#webhookMethod(method, params);
    if (webhook !== undefined) return webhook;
    if (method === "getUpdates") {
      const aborted = new AbortController();
      res.on("close", () => aborted.abort());
      return this.updates.poll(params, aborted.signal);
    }
    const run = METHODS[method];
    if (!run) {
      this.unimplemented.push(method);
      throw new ApiFailure(404, "Not Found");
    }
    return run(this.world, params);
  }

  /** setWebhook, deleteWebhook and getWebhookInfo, and getUpdates refused while a webhook is set. */
  async #webhookMethod(method: string, params: Params): Promise<unknown> {
    switch (method) {
      case "setWebhook":
        this.webhook.set(params);
        return true;
      case "deleteWebhook":
        await this.webhook.delete();
        if (params.drop_pending_updates === true) this.updates.drop();
        return true;
      case "getWebhookInfo": {
        const setting = this.webhook.setting;
        const pending = this.updates.pending().length;
        return setting
          ? { url: setting.url, has_custom_certificate: false, pending_update_count: pending }
          : { url: "", has_custom_certificate: false, pending_update_count: pending };
      }
      case "getUpdates":
        if (this.webhook.setting) throw new ApiFailure(409, WEBHOOK_CONFLICT);
        return undefined;
      default:
        return undefined;
    }
  }

  #record(call: RecordedCall): void {
    const error = call.error ? { code: call.error.code, description: call.error.description } : undefined;
    this.calls.push({ ...call, error });
    for (const listener of [...this.#listeners]) listener();
  }
}
