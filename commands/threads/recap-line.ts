import type { Services } from "../../src/core/commands/services.ts";
import type { Thread } from "../../src/core/model.ts";
import { texts } from "../../src/core/texts.ts";

/** Longest recap line in listings (OpenClaw writes up to 450 characters). */
const RECAP_UNITS = 160;

/**
 * The recap line of a thread for /thread and /threads: what is known now (nothing the first time),
 * never awaited; the recap is asked for in the background so a later listing shows it.
 */
export function recapLines(services: Services, thread: Thread, indent = ""): string[] {
  const recap = services.recaps.line(thread, RECAP_UNITS);
  return recap ? [`${indent}${texts.recapLine(recap)}`] : [];
}
