import type { Server } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";
import { channelJson, memberJson, userJson } from "./json.ts";
import { isThread, snowflake, type World } from "./world.ts";

/** Gateway intent bits the fake enforces. */
export const Intent = {
  Guilds: 1 << 0,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

/** The IDENTIFY payload as received (token included, so tests can assert what was sent). */
export interface IdentifyPayload {
  token: string;
  intents: number;
  compress?: boolean;
  shard?: [number, number];
}

interface Session {
  socket: WebSocket;
  intents: number;
  seq: number;
  ready: boolean;
}

/** Shapes a dispatch per session: return the payload, or undefined when that session may not see it. */
export type DispatchFilter = (intents: number) => unknown;

/**
 * A v10 JSON gateway on the fake's HTTP server at /gateway: HELLO, IDENTIFY (token and intents
 * checked; close 4004 on a bad token), READY then GUILD_CREATE, heartbeat ACKs, and dispatches.
 */
export class FakeGateway {
  readonly identifies: IdentifyPayload[] = [];
  heartbeats = 0;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Set<Session>();
  readonly #token: string;
  readonly #world: World;
  readonly #heartbeatIntervalMs: number;

  constructor(options: { server: Server; token: string; world: World; heartbeatIntervalMs: number }) {
    this.#token = options.token;
    this.#world = options.world;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs;
    this.#wss = new WebSocketServer({ server: options.server, path: "/gateway" });
    this.#wss.on("connection", (socket) => this.#open(socket));
  }

  /** Number of sessions that completed IDENTIFY and are still open. */
  get readySessions(): number {
    return [...this.#sessions].filter((s) => s.ready).length;
  }

  /** Sends a dispatch to every ready session; `filter` applies intents (undefined = skip that session). */
  dispatch(event: string, data: unknown | DispatchFilter): void {
    for (const session of this.#sessions) {
      if (!session.ready) continue;
      const payload = typeof data === "function" ? (data as DispatchFilter)(session.intents) : data;
      if (payload !== undefined) this.#dispatchTo(session, event, payload);
    }
  }

  /** Closes every socket and the server. */
  async close(): Promise<void> {
    for (const session of this.#sessions) session.socket.terminate();
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #open(socket: WebSocket): void {
    const session: Session = { socket, intents: 0, seq: 0, ready: false };
    this.#sessions.add(session);
    socket.on("close", () => this.#sessions.delete(session));
    socket.on("message", (raw) => this.#receive(session, String(raw)));
    this.#send(session, { op: 10, d: { heartbeat_interval: this.#heartbeatIntervalMs } });
  }

  #receive(session: Session, raw: string): void {
    const frame = JSON.parse(raw) as { op: number; d: unknown };
    if (frame.op === 1) {
      this.heartbeats += 1;
      this.#send(session, { op: 11 });
    } else if (frame.op === 2) {
      this.#identify(session, frame.d as IdentifyPayload);
    }
  }

  #identify(session: Session, identify: IdentifyPayload): void {
    this.identifies.push(identify);
    if (identify.token !== this.#token) {
      session.socket.close(4004, "Authentication failed.");
      return;
    }
    session.intents = identify.intents;
    session.ready = true;
    const world = this.#world;
    this.#dispatchTo(session, "READY", {
      v: 10,
      user: { ...userJson(world.bot), verified: true, mfa_enabled: false, flags: 0 },
      guilds: [{ id: world.guild.id, unavailable: true }],
      session_id: snowflake(),
      resume_gateway_url: "ws://127.0.0.1/gateway",
      shard: [0, 1],
      application: { id: world.bot.id, flags: 0 },
    });
    // Without the Guilds intent Discord sends no GUILD_CREATE (discord.js then waits out waitGuildTimeout).
    if (session.intents & Intent.Guilds) this.#dispatchTo(session, "GUILD_CREATE", guildCreate(world));
  }

  #dispatchTo(session: Session, event: string, data: unknown): void {
    this.#send(session, { op: 0, t: event, s: ++session.seq, d: data });
  }

  #send(session: Session, frame: unknown): void {
    if (session.socket.readyState === session.socket.OPEN) session.socket.send(JSON.stringify(frame));
  }
}

/** GUILD_CREATE: the full guild with roles, members, channels and its active threads. */
function guildCreate(world: World): Record<string, unknown> {
  const { guild } = world;
  const channels = [...world.channels.values()].filter((c) => c.guildId === guild.id);
  return {
    id: guild.id,
    name: guild.name,
    owner_id: guild.ownerId,
    icon: null,
    features: [],
    unavailable: false,
    large: false,
    member_count: guild.members.length,
    joined_at: "2026-01-01T00:00:00.000Z",
    roles: guild.roles.map((role, position) => ({
      id: role.id,
      name: role.name,
      permissions: String(role.permissions),
      position,
      color: 0,
      hoist: false,
      managed: false,
      mentionable: false,
      flags: 0,
    })),
    members: guild.members.map((m) => memberJson(world, m.userId)),
    channels: channels.filter((c) => !isThread(c)).map((c) => channelJson(world, c)),
    threads: channels.filter((c) => c.thread && !c.thread.archived).map((c) => channelJson(world, c)),
    emojis: [],
    stickers: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
