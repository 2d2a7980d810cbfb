import { z } from "zod";
import { MAX_NAME_LENGTH } from "../../src/core/keys/thread-slug.ts";

/**
 * A new thread name (rename, fork): required, with the one length rule of thread names (code
 * points, as parseThreadName counts them); no autocomplete, since it must not be an existing name.
 */
export function newNameArg(description: string, example: string) {
  return z
    .string({ error: `Give the new name, for example ${example}.` })
    .trim()
    .min(1, `Give the new name, for example ${example}.`)
    .refine((name) => [...name].length <= MAX_NAME_LENGTH, `Thread names are at most ${MAX_NAME_LENGTH} characters.`)
    .meta({ description, maxLength: MAX_NAME_LENGTH });
}
