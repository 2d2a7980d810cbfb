import { expect } from "vitest";
import { del } from "../../../commands/thread/delete.ts";
import { fork } from "../../../commands/thread/fork.ts";
import { rename } from "../../../commands/thread/rename.ts";
import { reset } from "../../../commands/thread/reset.ts";
import { App } from "../../../src/core/app.ts";
import { Access } from "../../../src/core/commands/access.ts";
import type { CommandDefinition, Reply } from "../../../src/core/commands/command.ts";
import type { Services } from "../../../src/core/commands/services.ts";
import { AttachmentIntake } from "../../../src/core/turns/attachments.ts";
import { MemoryBlobStore } from "../../../src/store/blobs.ts";
import { type BotUnderTest, sleep, USERS } from "./bot-harness.ts";

/** The identity subcommands, as App sees any command (access enforced by App.handleCommand). */
const SUBCOMMANDS = [rename, fork, reset, del] as readonly CommandDefinition<unknown, Services>[];

/**
 * Runs `/rename x`, `/fork x`, `/reset`, `/delete` through a real App over the bot's services, until
 * `/thread <sub>` dispatch lands (branch h0-subcommands); access is enforced exactly as for any command.
 */
export function subcommand(
  world: BotUnderTest,
  conversation: string,
  line: string,
  options: { sender?: string; direct?: boolean } = {},
): Promise<Reply | undefined> {
  const app = new App({
    commands: SUBCOMMANDS,
    services: world.bot.services,
    access: new Access({ allowed: [USERS.allowed], admins: [USERS.admin] }),
    store: world.store,
    gateway: world.client,
    intake: new AttachmentIntake({ blobs: new MemoryBlobStore(), gateway: world.client, logger: world.logger }),
    logger: world.logger,
  });
  const match = /^\/([a-z]+)(?:\s+([\s\S]*))?$/.exec(line);
  if (!match?.[1]) throw new Error(`not a command line: ${line}`);
  const isDirect = options.direct ?? (conversation.startsWith("console:") || /^telegram:\d+$/.test(conversation));
  return app.handleCommand({
    place: { conversation, direct: isDirect },
    sender: { id: options.sender ?? (conversation.startsWith("telegram:") ? USERS.allowed : "console:tester") },
    name: match[1],
    text: match[2] ?? "",
  });
}

/** Runs `run`; asserts the store is deep-equal before and after and the gateway got no request. */
export async function changesNothing<T>(world: BotUnderTest, run: () => Promise<T>): Promise<T> {
  const before = structuredClone(world.store.state);
  const requests = world.gw.requests.length;
  const result = await run();
  await sleep(30);
  expect(world.store.state).toEqual(before);
  expect(world.gw.requests.slice(requests).map((r) => r.method)).toEqual([]);
  return result;
}

/** The reply's text, asserted to be one line. */
export function oneLine(reply: Reply | undefined): string {
  const text = reply?.text ?? "";
  expect(text).toBeTruthy();
  expect(text).not.toContain("\n");
  return text;
}
