import type { Logger } from "../../src/core/ports.ts";

/** One log line as the recording logger keeps it. */
export interface LogEntry {
  level: string;
  message: string;
  fields?: Record<string, unknown> | undefined;
}

/** A logger that keeps every line, so tests can look for complaints and for secrets in them. */
export interface RecordingLogger extends Logger {
  readonly entries: LogEntry[];
  /** Every line as JSON, errors as their messages (JSON.stringify would show an Error as `{}`). */
  text(): string;
  /** The warnings and errors a channel logged: lines at warn or error whose message starts with `prefix`. */
  complaints(prefix: string): LogEntry[];
  /** Every line as JSON text (level, message and fields at the top level). */
  readonly lines: string[];
  /** The lines at warn or error, as JSON text. */
  problems(): string[];
}

/** A logger that keeps every line. */
export function recordingLogger(): RecordingLogger {
  const entries: LogEntry[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    entries.push({ level, message, fields });
  };
  const line = (e: LogEntry) => JSON.stringify({ level: e.level, message: e.message, ...e.fields }, showErrors);
  return {
    entries,
    get lines() {
      return entries.map(line);
    },
    problems: () => entries.filter((e) => /warn|error/.test(e.level)).map(line),
    text: () => entries.map((entry) => JSON.stringify(entry, showErrors)).join("\n"),
    complaints: (prefix) => entries.filter((e) => /warn|error/.test(e.level) && e.message.startsWith(prefix)),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
}

function showErrors(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, cause: value.cause } : value;
}
