import type { MergePatch } from "../core/ports.ts";

/**
 * JSON merge patch (RFC 7396). Objects merge key by key, `null` deletes a key, and
 * anything else (scalars, arrays) replaces the value. A `__proto__` key is skipped
 * everywhere, so a patch parsed from a file can never reach an object's prototype.
 */

/** True for a JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Returns `target` with `patch` merged in, without mutating either; unchanged
 * subtrees are shared with the inputs.
 */
export function applyMergePatch<T>(target: T, patch: MergePatch<T>): T;
export function applyMergePatch(target: unknown, patch: unknown): unknown;
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const key of Object.keys(patch)) {
    if (key === "__proto__") continue;
    const value = patch[key];
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/**
 * Merges `patch` into `target` in place and returns the result (a new object only
 * where the target was not one). For trees the caller owns, such as a file being
 * replayed at load, where copying a 100,000-key record per patch would be too slow.
 */
export function mergePatchInPlace(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? target : {};
  for (const key of Object.keys(patch)) {
    if (key === "__proto__") continue;
    const value = patch[key];
    if (value === null) delete result[key];
    else result[key] = mergePatchInPlace(result[key], value);
  }
  return result;
}
