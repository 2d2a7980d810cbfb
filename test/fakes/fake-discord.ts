import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  autocompleteData,
  carrierOf,
  interactionBase,
  type Origin,
  originChannel,
  slashData,
} from "./discord/builders.ts";
import { findAttachment, serveAttachment } from "./discord/cdn.ts";
import type { FakeContext, InteractionRecord, RegisteredCommands } from "./discord/context.ts";
import { FakeGateway } from "./discord/gateway.ts";
import {
  apiError,
  type FakeResponse,
  type Fault,
  faultMatches,
  type RecordedCall,
  Router,
  rateLimited,
  readBody,
  writeResponse,
} from "./discord/http.ts";
import { addCoreRoutes } from "./discord/rest-core.ts";
import { addInteractionRoutes } from "./discord/rest-interactions.ts";
import { addMessageRoutes, postMessage } from "./discord/rest-messages.ts";
import { addThreadRoutes } from "./discord/rest-threads.ts";
import { defaultWorld, type FakeAttachment, type StoredMessage, type World } from "./discord/world.ts";

export type { InteractionRecord } from "./discord/context.ts";
export type { Fault, RecordedCall } from "./discord/http.ts";
export { ChannelKind, type FakeAttachment, ids, Perm, type StoredMessage, type World } from "./discord/world.ts";

/** Options of the fake; the defaults are Discord's own numbers. */
export interface FakeDiscordOptions {
  token?: string;
  world?: World;
  heartbeatIntervalMs?: number;
  interactionDeadlineMs?: number;
  tokenTtlMs?: number;
}

const PREFIX = "/api/v10";

/**
 * Our own fake Discord for discord.js: REST under /api/v10 and a JSON gateway at /gateway on one
 * 127.0.0.1 port. It records every REST call, keeps messages with their edit history, answers
 * routes it does not implement with 404 and lists them in `misses`, injects faults on demand,
 * and lets tests act as people (messages, slash commands, buttons, autocomplete).
 * @example
 * const discord = await FakeDiscord.start();
 * const client = new Client({ intents, rest: { api: discord.apiRoot } });
 * await client.login(discord.token);
 */
export class FakeDiscord {
  readonly token: string;
  readonly world: World;
  readonly calls: RecordedCall[] = [];
  /** `METHOD /path` of every call no route handled; a suite asserts it stays empty. */
  readonly misses: string[] = [];
  readonly faults: Fault[] = [];
  /** Downloads from the fake's CDN (attachment urls), with the status each got. */
  readonly cdnRequests: { path: string; status: number }[] = [];
  readonly #server: Server;
  readonly #gateway: FakeGateway;
  readonly #ctx: FakeContext;
  readonly #router = new Router();

  private constructor(server: Server, options: FakeDiscordOptions) {
    this.token = options.token ?? "fake-bot-token";
    this.world = options.world ?? defaultWorld();
    this.#server = server;
    this.#gateway = new FakeGateway({
      server,
      token: this.token,
      world: this.world,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    });
    this.#ctx = {
      world: this.world,
      gateway: this.#gateway,
      token: this.token,
      origin: () => this.origin,
      commands: { global: undefined, guilds: new Map() },
      interactions: new Map(),
      interactionDeadlineMs: options.interactionDeadlineMs ?? 3_000,
      tokenTtlMs: options.tokenTtlMs ?? 15 * 60_000,
      now: () => Date.now(),
    };
    addCoreRoutes(this.#router, this.#ctx);
    addMessageRoutes(this.#router, this.#ctx);
    addThreadRoutes(this.#router, this.#ctx);
    addInteractionRoutes(this.#router, this.#ctx);
    server.on("request", (req, res) => void this.#handle(req, res));
  }

  /** Starts the fake on 127.0.0.1, port 0. */
  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const server = createServer();
    const fake = new FakeDiscord(server, options);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  /** http://127.0.0.1:<port> */
  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The value for discord.js `rest.api` (discord.js appends /v10). */
  get apiRoot(): string {
    return `${this.origin}/api`;
  }

  /** IDENTIFY payloads received, and the heartbeat count. */
  get gateway(): Pick<
    FakeGateway,
    | "identifies"
    | "resumes"
    | "heartbeats"
    | "readySessions"
    | "dropConnections"
    | "requestReconnect"
    | "invalidateSessions"
  > {
    return this.#gateway;
  }

  /** Slash commands as the bot registered them. */
  get commands(): RegisteredCommands {
    return this.#ctx.commands;
  }

  /** Every interaction dispatched so far, by id. */
  get interactions(): ReadonlyMap<string, InteractionRecord> {
    return this.#ctx.interactions;
  }

  /** The next `times` (default 1) calls matching `fault` fail (429 with retry-after unless `status` says otherwise). */
  failNext(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** REST calls matching a method and path pattern. */
  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && path.test(c.path));
  }

  /** Messages in a channel, oldest first (deleted ones included, flagged). */
  messagesIn(channelId: string): StoredMessage[] {
    return [...this.world.messages.values()].filter((m) => m.channelId === channelId);
  }

  /** A file on a message, by attachment id (its bytes, name and type). */
  attachment(id: string): FakeAttachment | undefined {
    return findAttachment(this.world, id);
  }

  /** The DM channel id between the bot and a user (created if needed). */
  dmChannelId(userId: string): string {
    return originChannel(this.#ctx, { userId, dm: true }).id;
  }

  /** A person writes a message (guild channel, thread or DM), maybe with files or stickers; dispatched as MESSAGE_CREATE. */
  userMessage(
    origin: Origin & { content: string; replyTo?: string; attachments?: FakeAttachment[]; stickers?: string[] },
  ): StoredMessage {
    const author = this.world.users.get(origin.userId);
    if (!author) throw new Error(`fake-discord: no user ${origin.userId}`);
    const channel = originChannel(this.#ctx, origin);
    const body = {
      content: origin.content,
      stickers: origin.stickers ?? [],
      ...(origin.replyTo ? { message_reference: { message_id: origin.replyTo } } : {}),
    };
    const files = origin.attachments ?? [];
    const result = postMessage(this.#ctx, { channelId: channel.id, author, body, files });
    if ("status" in result) throw new Error(`fake-discord: message refused: ${JSON.stringify(result.body)}`);
    return result;
  }

  /** A person runs a slash command (or one of its subcommands) with string options; returns the record to watch. */
  slash(origin: Origin & { name: string; subcommand?: string; options?: Record<string, string> }): InteractionRecord {
    return this.#interact(origin, 2, slashData(this.#ctx, origin.name, origin.options ?? {}, origin.subcommand));
  }

  /** A person types into an option that has autocomplete (interaction type 4). */
  autocomplete(
    origin: Origin & {
      name: string;
      subcommand?: string;
      focused: string;
      value: string;
      options?: Record<string, string>;
    },
  ) {
    const { name, focused, value, options, subcommand } = origin;
    return this.#interact(origin, 4, autocompleteData(this.#ctx, name, focused, value, options, subcommand));
  }

  /** A person presses a button (component interaction type 3) on a channel or interaction message. */
  pressButton(input: { userId: string; messageId: string; customId: string }): InteractionRecord {
    const carrier = carrierOf(this.#ctx, input.messageId);
    const channel = this.world.channels.get(carrier.channelId);
    const origin: Origin = channel?.recipientId
      ? { userId: input.userId, dm: true }
      : { userId: input.userId, channelId: carrier.channelId };
    const record = this.#interact(
      origin,
      3,
      { custom_id: input.customId, component_type: 2 },
      { message: carrier.json },
    );
    record.messageId = input.messageId;
    record.carrier = carrier.editable;
    return record;
  }

  /** Polls `probe` until it returns a truthy value. */
  async waitFor<T>(probe: () => T | undefined | null | false, options: { timeoutMs?: number; what?: string } = {}) {
    const deadline = Date.now() + (options.timeoutMs ?? 5_000);
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`fake-discord: timed out waiting for ${options.what ?? "condition"}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Closes the gateway sockets and the HTTP server. */
  async close(): Promise<void> {
    await this.#gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #interact(origin: Origin, type: number, data: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const { payload, record } = interactionBase(this.#ctx, origin, type, data);
    this.#gateway.dispatch("INTERACTION_CREATE", { ...payload, ...extra });
    return record;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.origin);
    const method = req.method ?? "GET";
    if (method === "GET" && url.pathname.startsWith("/attachments/")) {
      this.cdnRequests.push({ path: url.pathname, status: serveAttachment(this.world, url.pathname, res) });
      return;
    }
    const body = await readBody(req);
    const path = url.pathname.startsWith(PREFIX)
      ? url.pathname.slice(PREFIX.length).split("/").map(decodeURIComponent).join("/")
      : url.pathname;
    const { answer, route } = await this.#answer(method, path, url, req, body);
    this.calls.push({
      method,
      path,
      route,
      query: Object.fromEntries(url.searchParams),
      body,
      status: answer.status,
      at: Date.now(),
    });
    writeResponse(res, answer);
  }

  async #answer(method: string, path: string, url: URL, req: IncomingMessage, body: unknown) {
    const match = this.#router.match(method, path);
    const route = match?.route.pattern;
    const fault = this.faults.find((f) => (f.times ?? 1) > 0 && faultMatches(f, method, path));
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      const answer: FakeResponse =
        (fault.status ?? 429) === 429 ? rateLimited(fault) : apiError(fault.status ?? 500, 0, "Injected failure");
      return { answer, route };
    }
    if (!match || !url.pathname.startsWith(PREFIX)) {
      this.misses.push(`${method} ${path}`);
      return { answer: apiError(404, 0, "404: Not Found"), route };
    }
    if (match.route.auth && req.headers.authorization !== `Bot ${this.token}`) {
      return { answer: apiError(401, 0, "401: Unauthorized"), route };
    }
    const request = {
      method,
      path,
      query: url.searchParams,
      params: match.params,
      body,
      authorization: req.headers.authorization,
    };
    return { answer: await match.route.handler(request), route };
  }
}
