import type { CommandDefinition } from "../src/core/commands/command.ts";
import { subcommandWords } from "../src/core/commands/dispatch.ts";
import type { Services } from "../src/core/commands/services.ts";
import { approve } from "./approve.ts";
import { deny } from "./deny.ts";
import { help } from "./help.ts";
import { resume } from "./resume.ts";
import { steer } from "./steer.ts";
import { stop } from "./stop.ts";
import { thread } from "./thread.ts";
import { threads } from "./threads.ts";

/** Every command, in menu order; Telegram's menu and Discord's slash commands are derived from it. */
export const commands: readonly CommandDefinition<unknown, Services>[] = [
  thread,
  resume,
  stop,
  steer,
  approve,
  deny,
  threads,
  help,
];

/** Words a new thread may not be called: each picks a /thread subcommand in typed text. */
export const reservedThreadNames: readonly string[] = subcommandWords(thread);
