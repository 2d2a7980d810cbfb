import { z } from "zod";
import { MAX_NAME_LENGTH } from "../keys/thread-slug.ts";

const TOO_LONG = `Thread names are at most ${MAX_NAME_LENGTH} characters.`;

/**
 * A thread name argument: the one length rule of thread names (code points, as parseThreadName
 * counts them), with autocomplete of thread names where the platform offers it.
 */
export function threadNameArg(description: string) {
  return z
    .string()
    .trim()
    .refine((name) => [...name].length <= MAX_NAME_LENGTH, TOO_LONG)
    .meta({ description, autocomplete: true, maxLength: MAX_NAME_LENGTH })
    .optional();
}

/**
 * A name for a thread that does not exist yet (a rename's or a fork's new name): required, so a
 * bare `/thread rename` answers with its usage; the same length rule; no autocomplete, since it
 * names no existing thread. The registry's parseNewName applies the rest (reserved words).
 */
export function newThreadNameArg(description: string) {
  return z
    .string()
    .trim()
    .refine((name) => [...name].length <= MAX_NAME_LENGTH, TOO_LONG)
    .meta({ description, maxLength: MAX_NAME_LENGTH });
}
