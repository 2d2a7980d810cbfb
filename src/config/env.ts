import { z } from "zod";
import { BotError, ErrorCode } from "../core/errors.ts";
import { senderId } from "../core/keys/sender-id.ts";
import { isAgentId } from "../core/keys/session-key.ts";
import { ResumePolicySchema } from "../core/model.ts";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** True when `host` is a loopback name or an address in 127.0.0.0/8 or ::1. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `new URL`, or undefined: zod runs refinements even after its url check failed. */
function urlOf(value: string): URL | undefined {
  return URL.canParse(value) ? new URL(value) : undefined;
}

const GatewayUrl = z.url({ protocol: /^wss?$/ }).refine((value) => {
  const url = urlOf(value);
  return url === undefined || url.protocol === "wss:" || isLoopbackHost(url.hostname);
}, "ws:// is only allowed to a loopback host; use wss:// elsewhere");

/** A comma-separated list whose entries each match `entry`. */
function commaList(entry: z.ZodString) {
  return z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    )
    .pipe(z.array(entry));
}

// The console is always allowed: a list names Telegram and Discord people, in the sender id codec's form.
const UserList = commaList(
  z.string().refine((id) => {
    const platform = senderId.decode(id)?.platform;
    return platform === "telegram" || platform === "discord";
  }, "entries look like telegram:123 or discord:456"),
);
const IdList = commaList(z.string().regex(/^\d+$/, "Discord guild ids are digits"));

/** postgres:// or postgresql://, with a database name: the multi-process store (ARCHITECTURE.md §10). */
const StoreUrl = z.url({ protocol: /^postgres(ql)?$/, error: "a postgres:// URL" }).refine((value) => {
  const path = urlOf(value)?.pathname;
  return path === undefined || path.length > 1;
}, "the URL names no database (postgres://user:password@host:5432/database)");

const HttpRoot = z.url({ protocol: /^https?$/ }).transform((value) => value.replace(/\/+$/, ""));

/** The environment the bot reads (ARCHITECTURE.md §9); `.env.example` lists exactly these keys. */
export const EnvSchema = z.object({
  OPENCLAW_GATEWAY_URL: GatewayUrl.default("ws://127.0.0.1:18789"),
  OPENCLAW_GATEWAY_TOKEN: z.string().optional(),
  OPENCLAW_AGENT_ID: z.string().refine(isAgentId, "lower-case letters, digits, '_' and '-'").default("main"),
  TELEGRAM_BOT_TOKEN: z.string().optional(),
  TELEGRAM_API_ROOT: HttpRoot.optional(),
  DISCORD_BOT_TOKEN: z.string().optional(),
  DISCORD_API_ROOT: HttpRoot.optional(),
  DISCORD_GUILD_IDS: IdList.default([]),
  STORE_PATH: z.string().default("data/threads.json"),
  STORE_URL: StoreUrl.optional(),
  ALLOWED_USERS: UserList.default([]),
  ADMIN_USERS: UserList.default([]),
  RESUME_POLICY: ResumePolicySchema.default("confirm"),
  APPROVERS: z.enum(["requester", "allowed"]).default("requester"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

/** Parsed configuration. */
export type Config = z.infer<typeof EnvSchema>;

/** The keys of the configuration, in schema order. */
export const CONFIG_KEYS = Object.keys(EnvSchema.shape) as (keyof Config)[];

/**
 * Parses the environment once. Empty values count as missing; every bad key is named in one
 * BotError(CONFIG). Values are never echoed (they may be secrets).
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of CONFIG_KEYS) {
    const value = source[key]?.trim();
    if (value) input[key] = value;
  }
  const parsed = EnvSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(env)"}: ${issue.message}`);
  // One bad key is one line; several are listed under the heading.
  const body = lines.length === 1 ? ` ${lines[0]}` : `\n${lines.map((line) => `  ${line}`).join("\n")}`;
  throw new BotError(ErrorCode.Config, `Invalid configuration:${body}`);
}
