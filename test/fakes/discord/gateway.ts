import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
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

/** The RESUME payload as received. */
export interface ResumePayload {
  token: string;
  session_id: string;
  seq: number;
}

/** Dispatches a session keeps for a RESUME, like Discord's buffer (oldest dropped first). */
const REPLAY_LIMIT = 1000;

/** An identified session: it outlives its socket, so a client can RESUME it and get what it missed. */
interface Session {
  id: string;
  intents: number;
  seq: number;
  /** The socket it is attached to; undefined while the client is away (it may still RESUME). */
  socket: WebSocket | undefined;
  /** Dispatches sent (or due while away), for replay after a RESUME. */
  sent: { s: number; t: string; d: unknown }[];
}

/** Dispatches a session may see: return the payload, or undefined when that session may not see it. */
export type DispatchFilter = (intents: number) => unknown;

/**
 * A v10 JSON gateway on the fake's HTTP server at /gateway: HELLO, IDENTIFY (token and intents
 * checked; close 4004 on a bad token), READY then GUILD_CREATE, heartbeat ACKs, dispatches, and the
 * reconnect cycle: sessions outlive their sockets, RESUME replays what a session missed then sends
 * RESUMED (INVALID_SESSION for an unknown one), and tests can drop sockets, ask for a reconnect
 * (op 7) or invalidate sessions (op 9) the way Discord does.
 */
export class FakeGateway {
  readonly identifies: IdentifyPayload[] = [];
  readonly resumes: ResumePayload[] = [];
  heartbeats = 0;
  readonly #wss: WebSocketServer;
  readonly #server: Server;
  /** Sockets that have not identified or resumed yet. */
  readonly #pending = new Set<WebSocket>();
  readonly #sessions = new Map<string, Session>();
  readonly #token: string;
  readonly #world: World;
  readonly #heartbeatIntervalMs: number;

  constructor(options: { server: Server; token: string; world: World; heartbeatIntervalMs: number }) {
    this.#server = options.server;
    this.#token = options.token;
    this.#world = options.world;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs;
    this.#wss = new WebSocketServer({ server: options.server, path: "/gateway" });
    this.#wss.on("connection", (socket) => this.#open(socket));
  }

  /** Number of sessions that completed IDENTIFY (or RESUME) and have an open socket. */
  get readySessions(): number {
    return [...this.#sessions.values()].filter((s) => s.socket !== undefined).length;
  }

  /** Sends a dispatch to every session (kept for replay while one is away); `filter` applies intents. */
  dispatch(event: string, data: unknown | DispatchFilter): void {
    for (const session of this.#sessions.values()) {
      const payload = typeof data === "function" ? (data as DispatchFilter)(session.intents) : data;
      if (payload !== undefined) this.#dispatchTo(session, event, payload);
    }
  }

  /** Cuts every session's socket as a network failure would (no close frame); the sessions stay resumable. */
  dropConnections(): void {
    for (const session of this.#sessions.values()) session.socket?.terminate();
  }

  /** Asks every client to reconnect and resume (op 7 RECONNECT), as Discord does before moving a session. */
  requestReconnect(): void {
    for (const session of this.#sessions.values()) if (session.socket) this.#send(session.socket, { op: 7, d: null });
  }

  /** Ends every session (op 9 INVALID_SESSION, not resumable): clients must identify anew. */
  invalidateSessions(): void {
    for (const session of this.#sessions.values()) if (session.socket) this.#send(session.socket, { op: 9, d: false });
    this.#sessions.clear();
  }

  /** Closes every socket and the server. */
  async close(): Promise<void> {
    for (const socket of this.#wss.clients) socket.terminate();
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #open(socket: WebSocket): void {
    this.#pending.add(socket);
    socket.on("close", () => {
      this.#pending.delete(socket);
      for (const session of this.#sessions.values()) if (session.socket === socket) session.socket = undefined;
    });
    socket.on("message", (raw) => this.#receive(socket, String(raw)));
    this.#send(socket, { op: 10, d: { heartbeat_interval: this.#heartbeatIntervalMs } });
  }

  #receive(socket: WebSocket, raw: string): void {
    const frame = JSON.parse(raw) as { op: number; d: unknown };
    if (frame.op === 1) {
      this.heartbeats += 1;
      this.#send(socket, { op: 11 });
    } else if (frame.op === 2) {
      this.#identify(socket, frame.d as IdentifyPayload);
    } else if (frame.op === 6) {
      this.#resume(socket, frame.d as ResumePayload);
    }
  }

  #identify(socket: WebSocket, identify: IdentifyPayload): void {
    this.identifies.push(identify);
    if (identify.token !== this.#token) {
      socket.close(4004, "Authentication failed.");
      return;
    }
    this.#pending.delete(socket);
    const session: Session = { id: snowflake(), intents: identify.intents, seq: 0, socket, sent: [] };
    this.#sessions.set(session.id, session);
    const world = this.#world;
    this.#dispatchTo(session, "READY", {
      v: 10,
      user: { ...userJson(world.bot), verified: true, mfa_enabled: false, flags: 0 },
      guilds: [{ id: world.guild.id, unavailable: true }],
      session_id: session.id,
      resume_gateway_url: `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}/gateway`,
      shard: [0, 1],
      application: { id: world.bot.id, flags: 0 },
    });
    // Without the Guilds intent Discord sends no GUILD_CREATE (discord.js then waits out waitGuildTimeout).
    if (session.intents & Intent.Guilds) this.#dispatchTo(session, "GUILD_CREATE", guildCreate(this.#world));
  }

  /** RESUME: the missed dispatches in order, then RESUMED; an unknown session is told to identify. */
  #resume(socket: WebSocket, resume: ResumePayload): void {
    this.resumes.push(resume);
    const session = this.#sessions.get(resume.session_id);
    if (resume.token !== this.#token) {
      socket.close(4004, "Authentication failed.");
      return;
    }
    // Resumable while every dispatch after the client's last seq is still buffered.
    if (!session || (session.sent[0]?.s ?? 0) > resume.seq + 1) {
      this.#send(socket, { op: 9, d: false });
      return;
    }
    this.#pending.delete(socket);
    session.socket?.terminate();
    session.socket = socket;
    for (const event of session.sent.filter((e) => e.s > resume.seq)) this.#send(socket, { op: 0, ...event });
    this.#dispatchTo(session, "RESUMED", {});
  }

  #dispatchTo(session: Session, event: string, data: unknown): void {
    const frame = { s: ++session.seq, t: event, d: data };
    session.sent.push(frame);
    if (session.sent.length > REPLAY_LIMIT) session.sent.shift();
    if (session.socket) this.#send(session.socket, { op: 0, ...frame });
  }

  #send(socket: WebSocket, frame: unknown): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
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
