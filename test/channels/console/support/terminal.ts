/**
 * One terminal on the real console channel of a bot under test: what is typed goes in as a line,
 * what the channel prints is kept. Shared by the console tests of the whole bot.
 */
import { PassThrough } from "node:stream";
import { createConsoleChannel } from "../../../../src/channels/console/console-channel.ts";
import type { AppPort } from "../../../../src/core/app-port.ts";
import type { ChannelPort } from "../../../../src/core/ports.ts";
import { until } from "../../../core/support/bot-harness.ts";

export interface Terminal {
  /** The console channel the terminal is attached to. */
  readonly channel: ChannelPort;
  /** Types a line (or several, separated by newlines). */
  type(lines: string): void;
  /** Types `line` and waits until what is printed after it matches `answer` (a regex, or a substring). */
  typed(line: string, answer: RegExp | string): Promise<void>;
  /** Everything printed so far. */
  printed(): string;
  /** Ends the input (Ctrl-D), waits until the terminal closed, and stops the channel. */
  close(): Promise<void>;
}

/**
 * Attaches terminal `main` of a new console channel of `app`, registered in `channels` when given;
 * with `filesDir`, the channel saves files there.
 */
export function openTerminal(
  app: AppPort,
  channels?: { add(channel: ChannelPort): void },
  options: { filesDir?: string } = {},
): Terminal {
  const terminals = createConsoleChannel({ app, user: "op", filesDir: options.filesDir });
  channels?.add(terminals.channel);
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk: Buffer) => {
    printed += chunk.toString();
  });
  const terminal = terminals.attach("main", input, output);
  terminal.start();
  return {
    channel: terminals.channel,
    type: (lines) => input.write(`${lines}\n`),
    async typed(line, answer) {
      const from = printed.length;
      input.write(`${line}\n`);
      const matches = (text: string) => (typeof answer === "string" ? text.includes(answer) : answer.test(text));
      await until(() => matches(printed.slice(from)), `the answer to ${line}`);
    },
    printed: () => printed,
    async close() {
      input.end();
      await terminal.closed;
      await terminals.stop();
    },
  };
}
