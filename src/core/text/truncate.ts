/**
 * At most `maxUnits` UTF-16 units of `text`: unchanged when it fits, else cut and ended with `ellipsis`
 * (counted in the limit), never between the two halves of a surrogate pair (an emoji is kept or
 * dropped whole, so the platform is never sent half a character).
 */
export function truncate(text: string, maxUnits: number, ellipsis = ""): string {
  if (text.length <= maxUnits) return text;
  if (!Number.isInteger(maxUnits) || maxUnits < ellipsis.length) {
    throw new RangeError(`Cannot truncate to ${maxUnits} units with a ${ellipsis.length}-unit ellipsis.`);
  }
  let cut = maxUnits - ellipsis.length;
  if (isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  return text.slice(0, cut) + ellipsis;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
