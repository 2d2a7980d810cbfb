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
