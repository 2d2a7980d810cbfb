import { chmodSync, existsSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import { z } from "zod";
import type { Logger } from "../../core/ports.ts";
import type { ConsoleChannel } from "./console-channel.ts";

/** The first line a joining terminal sends. */
const Hello = z.object({ conversation: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) });

/** Where a running console bot listens for more terminals: beside its store, private to its user. */
export function consoleSocketPath(storePath: string): string {
  return `${storePath}.console.sock`;
}

/**
 * Lets more terminals join the running bot as their own conversations (`npm start -- --conversation B`
 * while `npm start` runs): one bot process owns the store, every terminal talks to it.
 */
export async function shareConsole(options: {
  path: string;
  console: ConsoleChannel;
  logger: Logger;
}): Promise<Server | undefined> {
  // A socket file left by a bot that died: nothing listens on it (joinConsole found no one).
  if (existsSync(options.path)) rmSync(options.path, { force: true });
  const server = createServer((socket) => void welcome(socket, options.console, options.logger));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.path, resolve);
    });
    chmodSync(options.path, 0o600);
    return server;
  } catch (error) {
    options.logger.warn("other terminals cannot join this console", { error });
    return undefined;
  }
}

/** Reads the hello line, then runs the joined terminal until it disconnects. */
async function welcome(socket: Socket, console: ConsoleChannel, logger: Logger): Promise<void> {
  const hello = Hello.safeParse(safeJson(await firstLine(socket)));
  if (!hello.success) {
    socket.end("bot> Not a threadkeeper terminal hello.\n");
    return;
  }
  const terminal = console.attach(hello.data.conversation, socket, socket);
  terminal.start();
  await terminal.closed;
  socket.end();
  logger.info("terminal left", { conversation: terminal.conversation });
}

/** The first line on a socket; what came after it in the same chunk is put back for the next reader. */
function firstLine(socket: Socket): Promise<string | undefined> {
  return new Promise((resolve) => {
    let buffered = "";
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const end = buffered.indexOf("\n");
      if (end < 0 && buffered.length < 4096) return;
      socket.off("data", onData);
      socket.pause();
      const rest = end < 0 ? "" : buffered.slice(end + 1);
      if (rest) socket.unshift(Buffer.from(rest, "utf8"));
      resolve(end < 0 ? undefined : buffered.slice(0, end));
    };
    socket.on("data", onData);
    socket.once("close", () => resolve(undefined));
  });
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? "");
  } catch {
    return undefined;
  }
}

/**
 * Joins the console of a bot already running on this store, as conversation `conversation`.
 * Resolves false at once when no bot listens there; else when this terminal's input ends.
 */
export async function joinConsole(options: {
  path: string;
  conversation: string;
  input: Readable;
  output: Writable;
}): Promise<boolean> {
  if (!existsSync(options.path)) return false;
  const socket = await new Promise<Socket | undefined>((resolve) => {
    const attempt = connect(options.path, () => resolve(attempt));
    attempt.once("error", () => resolve(undefined));
  });
  if (!socket) return false;
  socket.write(`${JSON.stringify({ conversation: options.conversation })}\n`);
  socket.pipe(options.output, { end: false });
  options.input.pipe(socket);
  await new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return true;
}
