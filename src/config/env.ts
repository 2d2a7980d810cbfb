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

// Telegram posts only to https; http is for a local Bot API server or a test fake on this machine.
const WebhookUrl = z.url({ protocol: /^https?$/ }).refine((value) => {
  const url = urlOf(value);
  return url === undefined || url.protocol === "https:" || isLoopbackHost(url.hostname);
}, "http:// is only allowed to a loopback host; Telegram posts to https:// URLs");

// What Telegram accepts as a webhook's secret_token.
const WebhookSecret = z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, "1 to 256 characters of A-Z, a-z, 0-9, _ and -");

/** `host:port` (an IPv6 host in brackets) as the webhook server's listen address. */
const ListenAddress = z.string().transform((value, ctx) => {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match?.[1] || !(port >= 0 && port <= 65535)) {
    ctx.addIssue({ code: "custom", message: "host:port, for example 127.0.0.1:8080 or [::1]:8080" });
    return z.NEVER;
  }
  return { host: match[1].replace(/^\[|\]$/g, ""), port };
});

/** The environment the bot reads (ARCHITECTURE.md §9); `.env.example` lists exactly these keys. */
export const EnvSchema = z
  .object({
    OPENCLAW_GATEWAY_URL: GatewayUrl.default("ws://127.0.0.1:18789"),
    OPENCLAW_GATEWAY_TOKEN: z.string().optional(),
    OPENCLAW_AGENT_ID: z.string().refine(isAgentId, "lower-case letters, digits, '_' and '-'").default("main"),
    TELEGRAM_BOT_TOKEN: z.string().optional(),
    TELEGRAM_API_ROOT: HttpRoot.optional(),
    TELEGRAM_WEBHOOK_URL: WebhookUrl.optional(),
    TELEGRAM_WEBHOOK_SECRET: WebhookSecret.optional(),
    TELEGRAM_WEBHOOK_LISTEN: ListenAddress.default({ host: "127.0.0.1", port: 8080 }),
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
  })
  .superRefine((env, ctx) => {
    if (env.TELEGRAM_WEBHOOK_URL === undefined) return;
    if (env.TELEGRAM_WEBHOOK_SECRET === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["TELEGRAM_WEBHOOK_SECRET"],
        message: "required with TELEGRAM_WEBHOOK_URL",
      });
    if (env.TELEGRAM_BOT_TOKEN === undefined)
      ctx.addIssue({ code: "custom", path: ["TELEGRAM_WEBHOOK_URL"], message: "needs TELEGRAM_BOT_TOKEN" });
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
