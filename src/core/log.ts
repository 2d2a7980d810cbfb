import type { Logger } from "./ports.ts";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;

/** Log levels, lowest first. */
export type LogLevel = keyof typeof LEVELS;

// Telegram tokens travel inside URLs (…/bot<id>:<secret>/…); redact them even when not configured.
const TELEGRAM_TOKEN = /\d{5,}:[A-Za-z0-9_-]{30,}/g;

/**
 * A JSON-lines logger that redacts every configured secret (and anything shaped like a Telegram
 * token) from messages and fields before they are written.
 */
export function createLogger(options: {
  level: LogLevel;
  secrets: readonly (string | undefined)[];
  write: (line: string) => void;
  now?: () => number;
}): Logger {
  const secrets = options.secrets.filter((s): s is string => typeof s === "string" && s.length >= 4);
  const threshold = LEVELS[options.level];
  const now = options.now ?? Date.now;
  const redact = (text: string): string => {
    let out = text.replace(TELEGRAM_TOKEN, "[redacted]");
    for (const secret of secrets) out = out.split(secret).join("[redacted]");
    return out;
  };
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const line = JSON.stringify({ t: new Date(now()).toISOString(), level, message, ...fields }, errorReplacer);
    options.write(redact(line));
  };
  return {
    debug: (m, f) => log("debug", m, f),
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
  };
}

/** Errors serialize as name, message and code; stacks stay out of the log lines. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  return value;
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
