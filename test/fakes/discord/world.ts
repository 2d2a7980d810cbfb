/**
 * The fake Discord's world: users, one guild with roles, members, channels and threads, DM
 * channels and stored messages with edit history. Plain data; the REST and gateway halves of the
 * fake read and change it, and serialize it to API JSON with the helpers at the bottom.
 */

/** Channel types used here (discord-api-types ChannelType values). */
export const ChannelKind = {
  Text: 0,
  DM: 1,
  Announcement: 5,
  AnnouncementThread: 10,
  PublicThread: 11,
  PrivateThread: 12,
  Forum: 15,
} as const;

/** Permission bits the fake computes with (PermissionFlagsBits values). */
export const Perm = {
  Administrator: 1n << 3n,
  ManageGuild: 1n << 5n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ReadMessageHistory: 1n << 16n,
  UseApplicationCommands: 1n << 31n,
  CreatePublicThreads: 1n << 35n,
  SendMessagesInThreads: 1n << 38n,
} as const;

const ALL_PERMISSIONS = (1n << 53n) - 1n;

/** A Discord user (people and bots). */
export interface FakeUser {
  id: string;
  username: string;
  bot?: boolean;
}

/** A guild role with its permission bits. */
export interface FakeRole {
  id: string;
  name: string;
  permissions: bigint;
}

/** A guild member: a user and their role ids. */
export interface FakeMember {
  userId: string;
  roles: string[];
}

/** A channel of any kind; threads carry `thread` metadata and their members. */
export interface FakeChannel {
  id: string;
  type: number;
  name?: string;
  guildId?: string;
  parentId?: string;
  ownerId?: string;
  recipientId?: string;
  thread?: { archived: boolean; locked: boolean; autoArchiveDuration: number; archivedAt: string };
  threadMembers: Set<string>;
}

/** A guild with its roles and members. */
export interface FakeGuild {
  id: string;
  name: string;
  ownerId: string;
  roles: FakeRole[];
  members: FakeMember[];
}

/** A message the fake holds; `edits` keeps every earlier content, oldest first. */
export interface StoredMessage {
  id: string;
  channelId: string;
  author: FakeUser;
  content: string;
  components: unknown[];
  flags: number;
  type: number;
  referenceId?: string;
  /** Files on the message (a person's, or the bot's uploads), as posted: with id, url and size. */
  attachments: FakeAttachment[];
  /** Names of the stickers a person sent. */
  stickers: string[];
  edits: string[];
  deleted: boolean;
}

/**
 * A file on a message. A person's file is given by name and type, with its bytes (a small sample
 * of the type when absent) or only a size (it reads as zeros); the fake fills in the rest when the
 * message is posted: its id, its CDN url on the fake's own server, its size.
 */
export interface FakeAttachment {
  filename: string;
  contentType: string;
  bytes?: Uint8Array | undefined;
  size?: number | undefined;
  id?: string | undefined;
  url?: string | undefined;
  /** The CDN answers 404, as for a deleted file or an expired link. */
  expired?: boolean | undefined;
}

/** The whole fake state. */
export interface World {
  bot: FakeUser;
  users: Map<string, FakeUser>;
  guild: FakeGuild;
  channels: Map<string, FakeChannel>;
  messages: Map<string, StoredMessage>;
}

let counter = 0n;

/** A fresh snowflake-shaped id; increasing, so discord.js can order by it. */
export function snowflake(): string {
  counter += 1n;
  return String(1_400_000_000_000_000_000n + counter);
}

/** Ids of the default world, for tests to address its people and places. */
export const ids = {
  bot: "100000000000000001",
  guild: "200000000000000001",
  adminRole: "200000000000000002",
  alice: "300000000000000001",
  bob: "300000000000000002",
  otherBot: "300000000000000003",
  owner: "300000000000000004",
  carol: "300000000000000005",
  dave: "300000000000000006",
  general: "400000000000000001",
  forum: "400000000000000002",
  activeThread: "400000000000000003",
  archivedThread: "400000000000000004",
} as const;

const EVERYONE_PERMISSIONS =
  Perm.ViewChannel |
  Perm.SendMessages |
  Perm.ReadMessageHistory |
  Perm.UseApplicationCommands |
  Perm.CreatePublicThreads |
  Perm.SendMessagesInThreads;

/**
 * A guild "Test Guild" owned by `owner`, where alice holds the Admins role (Manage Server), bob,
 * carol and dave are plain members and `other-bot` is another bot; #general (text), #ideas (forum), one active
 * and one archived thread under #general, both opened by the bot earlier.
 */
export function defaultWorld(): World {
  const user = (id: string, username: string, bot = false): FakeUser => ({ id, username, ...(bot ? { bot } : {}) });
  const bot = user(ids.bot, "threadkeeper", true);
  const people = [bot, user(ids.alice, "alice"), user(ids.bob, "bob"), user(ids.otherBot, "other-bot", true)];
  people.push(user(ids.owner, "owner"), user(ids.carol, "carol"), user(ids.dave, "dave"));
  const channels = new Map<string, FakeChannel>();
  const add = (channel: Omit<FakeChannel, "threadMembers" | "guildId">) =>
    channels.set(channel.id, {
      ...channel,
      guildId: ids.guild,
      threadMembers: new Set(channel.thread ? [bot.id] : []),
    });
  add({ id: ids.general, type: ChannelKind.Text, name: "general" });
  add({ id: ids.forum, type: ChannelKind.Forum, name: "ideas" });
  for (const [id, name, archived] of [
    [ids.activeThread, "old-thread", false],
    [ids.archivedThread, "archived-one", true],
  ] as const) {
    add({
      id,
      type: ChannelKind.PublicThread,
      name,
      parentId: ids.general,
      ownerId: ids.bot,
      thread: threadMeta(archived),
    });
  }
  return {
    bot,
    users: new Map(people.map((p) => [p.id, p])),
    guild: {
      id: ids.guild,
      name: "Test Guild",
      ownerId: ids.owner,
      roles: [
        { id: ids.guild, name: "@everyone", permissions: EVERYONE_PERMISSIONS },
        { id: ids.adminRole, name: "Admins", permissions: Perm.ManageGuild },
      ],
      members: people.map((p) => ({ userId: p.id, roles: p.id === ids.alice ? [ids.adminRole] : [] })),
    },
    channels,
    messages: new Map(),
  };
}

/** Thread metadata for a new (or archived) thread. */
export function threadMeta(archived = false): NonNullable<FakeChannel["thread"]> {
  return { archived, locked: false, autoArchiveDuration: 1440, archivedAt: new Date().toISOString() };
}

/** A member's guild permissions, computed from roles the way Discord does (owner and Administrator get all). */
export function memberPermissions(world: World, userId: string): bigint {
  const { guild } = world;
  if (userId === guild.ownerId) return ALL_PERMISSIONS;
  const member = guild.members.find((m) => m.userId === userId);
  let bits = guild.roles.find((r) => r.id === guild.id)?.permissions ?? 0n;
  for (const roleId of member?.roles ?? []) bits |= guild.roles.find((r) => r.id === roleId)?.permissions ?? 0n;
  return bits & Perm.Administrator ? ALL_PERMISSIONS : bits;
}

/** True for thread channel types. */
export function isThread(channel: FakeChannel): boolean {
  return channel.thread !== undefined;
}

/** The DM channel between the bot and `userId`, created on first use (one per user, as on Discord). */
export function dmChannelFor(world: World, userId: string): FakeChannel {
  for (const channel of world.channels.values()) {
    if (channel.type === ChannelKind.DM && channel.recipientId === userId) return channel;
  }
  const channel: FakeChannel = { id: snowflake(), type: ChannelKind.DM, recipientId: userId, threadMembers: new Set() };
  world.channels.set(channel.id, channel);
  return channel;
}
