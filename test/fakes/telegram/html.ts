/**
 * Telegram's HTML parse mode, as strict as the real Bot API: only its tag subset, properly nested,
 * only its named entities. Produces the visible text (what the 4096 limit counts) and entities.
 */

/** One formatting entity of a parsed message (offsets in UTF-16 units, like Telegram). */
export interface FakeEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

/** The result of parsing: visible text and entities, or Telegram's error description. */
export type ParsedHtml = { ok: true; text: string; entities: FakeEntity[] } | { ok: false; description: string };

const TAG_TYPES: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  span: "spoiler",
  a: "text_link",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
  "tg-emoji": "custom_emoji",
};

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };
const TAG = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*>/;
const ATTR = /([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
const ENTITY = /^&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/;

interface Open {
  tag: string;
  offset: number;
  attrs: Record<string, string>;
}

function fail(message: string): ParsedHtml {
  return { ok: false, description: `Bad Request: can't parse entities: ${message}` };
}

function parseAttrs(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of source.matchAll(ATTR)) {
    if (m[1]) attrs[m[1].toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? "";
  }
  return attrs;
}

function decodeEntity(body: string): string | undefined {
  if (body.startsWith("#x")) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
  if (body.startsWith("#")) return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
  return NAMED_ENTITIES[body];
}

function entityOf(open: Open, end: number): FakeEntity {
  const entity: FakeEntity = { type: TAG_TYPES[open.tag] ?? open.tag, offset: open.offset, length: end - open.offset };
  if (open.tag === "a") entity.url = open.attrs.href ?? "";
  if (open.tag === "code" && open.attrs.class?.startsWith("language-")) entity.language = open.attrs.class.slice(9);
  return entity;
}

/** Parses `html` the way Telegram's parse_mode=HTML does (strictly: unknown tags are errors). */
export function parseTelegramHtml(html: string): ParsedHtml {
  let text = "";
  const stack: Open[] = [];
  const entities: FakeEntity[] = [];
  let i = 0;
  while (i < html.length) {
    const ch = html[i];
    if (ch === "<") {
      const m = TAG.exec(html.slice(i));
      if (!m?.[2]) return fail(`Unsupported start tag at byte offset ${i}`);
      const tag = m[2].toLowerCase();
      if (m[1] === "/") {
        const top = stack.pop();
        if (!top || top.tag !== tag) return fail(`Unexpected end tag at byte offset ${i}`);
        entities.push(entityOf(top, text.length));
      } else {
        if (!(tag in TAG_TYPES)) return fail(`Unsupported start tag "${tag}" at byte offset ${i}`);
        const attrs = parseAttrs(m[3] ?? "");
        if (tag === "span" && attrs.class !== "tg-spoiler")
          return fail(`Unsupported start tag "span" at byte offset ${i}`);
        stack.push({ tag, offset: text.length, attrs });
      }
      i += m[0].length;
    } else if (ch === "&") {
      const m = ENTITY.exec(html.slice(i));
      const decoded = m?.[1] ? decodeEntity(m[1]) : undefined;
      if (m && decoded === undefined) return fail(`Unsupported HTML entity at byte offset ${i}`);
      text += decoded ?? "&";
      i += m ? m[0].length : 1;
    } else {
      text += ch;
      i += 1;
    }
  }
  const open = stack.pop();
  if (open) return fail(`Can't find end tag corresponding to start tag "${open.tag}"`);
  return { ok: true, text, entities: mergePreCode(entities) };
}

/** `<pre><code class="language-x">` is one pre entity with a language, as Telegram reports it. */
function mergePreCode(entities: FakeEntity[]): FakeEntity[] {
  const pres = entities.filter((e) => e.type === "pre");
  return entities.filter((e) => {
    if (e.type !== "code") return true;
    const pre = pres.find((p) => p.offset === e.offset && p.length === e.length);
    if (pre && e.language) pre.language = e.language;
    return pre === undefined;
  });
}
