import type { Logger } from "../core/ports.ts";

const MASK = "[redacted]";

function scrub(value: unknown, secret: string, depth: number): unknown {
  if (typeof value === "string") return value.split(secret).join(MASK);
  if (depth > 4 || typeof value !== "object" || value === null) return value;
  if (value instanceof Error) return scrub(value.message, secret, depth);
  if (Array.isArray(value)) return value.map((item) => scrub(item, secret, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrub(item, secret, depth + 1);
  return out;
}

/**
 * Wraps a logger so the gateway token can never reach a log line, even through an
 * error message the server or a library echoed back. The client never logs frames
 * or connect params on purpose; this is the second line of defence.
 */
export function redactingLogger(logger: Logger, secret: string): Logger {
  if (secret === "") return logger;
  const wrap =
    (write: Logger["info"]) =>
    (message: string, fields?: Record<string, unknown>): void => {
      const clean = scrub(message, secret, 0) as string;
      if (fields === undefined) write.call(logger, clean);
      else write.call(logger, clean, scrub(fields, secret, 0) as Record<string, unknown>);
    };
  return {
    debug: wrap(logger.debug),
    info: wrap(logger.info),
    warn: wrap(logger.warn),
    error: wrap(logger.error),
  };
}

/** A logger that drops everything (the default when none is injected). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
