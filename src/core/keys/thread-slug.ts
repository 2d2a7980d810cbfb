import { createHash } from "node:crypto";
import { BotError, ErrorCode } from "../errors.ts";

/** Longest display name a person may type, in characters. */
export const MAX_NAME_LENGTH = 100;
/** Longest canonical slug. */
export const MAX_SLUG_LENGTH = 63;
/** Slugs `/thread` refuses because they read as commands or collide with OpenClaw words. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set(["main", "all", "help", "new", "off", "none", "list"]);

const SEPARATORS = /[\s_./]+/gu;
const OUTSIDE_ALPHABET = /[^a-z0-9-]+/g;
const DASH_RUNS = /-+/g;
const EDGE_DASHES = /^-+|-+$/g;
// Cc and Cf cover C0/C1 controls, bidi overrides and zero-width tricks.
const CONTROL = /[\p{Cc}\p{Cf}]/u;
const SLUG_SHAPE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$/;
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** A thread name as typed (trimmed) and its canonical slug. */
export interface ThreadName {
  /** What the person typed, trimmed: shown in lists and used as the OpenClaw label. */
  display: string;
  /** The canonical name every code path uses. */
  slug: string;
}

/** Lower-case RFC 4648 base32 of a buffer, without padding. */
function base32(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Derives the canonical slug of a name (ARCHITECTURE.md §3); total, never throws. */
export function slugify(name: string): string {
  const folded = name.normalize("NFKC").toLowerCase();
  const slug = folded
    .replace(SEPARATORS, "-")
    .replace(OUTSIDE_ALPHABET, "")
    .replace(DASH_RUNS, "-")
    .replace(EDGE_DASHES, "")
    .slice(0, MAX_SLUG_LENGTH)
    .replace(EDGE_DASHES, "");
  if (slug.length > 0) return slug;
  // Names with no Latin letters or digits still need a stable slug.
  const digest = createHash("sha256").update(folded.trim()).digest();
  return `t-${base32(digest).slice(0, 10)}`;
}

/** True for strings of slug shape (what `slugify` can produce). */
export function isSlug(value: string): boolean {
  return SLUG_SHAPE.test(value);
}

/**
 * Validates what a person typed as a thread name and derives its slug.
 * Throws BotError(BAD_INPUT) with a one-line reason for empty, too long,
 * control-character or reserved names.
 */
export function parseThreadName(input: string): ThreadName {
  const display = input.trim();
  if (display.length === 0)
    throw new BotError(ErrorCode.BadInput, "A thread needs a name, for example /thread budget-planning.");
  if (CONTROL.test(display)) throw new BotError(ErrorCode.BadInput, "Thread names cannot contain control characters.");
  if ([...display].length > MAX_NAME_LENGTH) {
    throw new BotError(ErrorCode.BadInput, `Thread names are at most ${MAX_NAME_LENGTH} characters.`);
  }
  const slug = slugify(display);
  if (RESERVED_SLUGS.has(slug))
    throw new BotError(ErrorCode.BadInput, `"${slug}" is reserved; pick another thread name.`);
  return { display, slug };
}
