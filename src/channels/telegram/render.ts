import { Marked, Renderer, type Tokens } from "marked";

// Telegram's HTML mode accepts only b/i/u/s/code/pre/a/blockquote/tg-spoiler and rejects any other
// tag, so every Markdown construct is mapped onto that subset or onto plain text.
const LINK_SCHEMES = /^(https?:|tg:|mailto:)/i;

/** marked's HTML renderer narrowed to the tags Telegram accepts; escaping stays marked's own. */
class TelegramRenderer extends Renderer {
  /** Escapes text with marked's own escaper (the default text renderer). */
  escape(text: string): string {
    return super.text({ type: "text", raw: text, text, escaped: false });
  }

  override space(): string {
    return "";
  }

  override def(): string {
    return "";
  }

  override html(token: Tokens.HTML | Tokens.Tag): string {
    // Raw HTML from the agent is shown as text, never interpreted.
    return this.escape(token.text);
  }

  override paragraph(token: Tokens.Paragraph): string {
    return `${this.parser.parseInline(token.tokens)}\n\n`;
  }

  override heading(token: Tokens.Heading): string {
    return `<b>${this.parser.parseInline(token.tokens)}</b>\n\n`;
  }

  override hr(): string {
    return "———\n\n";
  }

  override code(token: Tokens.Code): string {
    const html = super.code({ ...token, text: token.text.replace(/\n+$/, "") });
    return `${html.replace(/\n<\/code><\/pre>\n$/, "</code></pre>")}\n\n`;
  }

  override blockquote(token: Tokens.Blockquote): string {
    return `<blockquote>${this.parser.parse(token.tokens).trim()}</blockquote>\n\n`;
  }

  override list(token: Tokens.List): string {
    const start = typeof token.start === "number" ? token.start : 1;
    const lines = token.items.map((item, index) => {
      const marker = token.ordered ? `${start + index}.` : "•";
      return `${marker} ${this.listitem(item).trim().replace(/\n/g, "\n   ")}`;
    });
    return `${lines.join("\n")}\n\n`;
  }

  override listitem(item: Tokens.ListItem): string {
    // Blocks of one item go on separate lines (a tight item's text has no trailing newline).
    let checkbox = "";
    const blocks: string[] = [];
    for (const token of item.tokens) {
      if (token.type === "checkbox") checkbox = this.checkbox(token as Tokens.Checkbox);
      else blocks.push(this.parser.parse([token]).trim());
    }
    return checkbox + blocks.filter((b) => b.length > 0).join("\n");
  }

  override checkbox(token: Tokens.Checkbox): string {
    return token.checked ? "☑ " : "☐ ";
  }

  override table(token: Tokens.Table): string {
    const row = (cells: Tokens.TableCell[]) => cells.map((c) => this.parser.parseInline(c.tokens)).join(" | ");
    const lines = [`<b>${row(token.header)}</b>`, ...token.rows.map(row)];
    return `${lines.join("\n")}\n\n`;
  }

  override strong(token: Tokens.Strong): string {
    return `<b>${this.parser.parseInline(token.tokens)}</b>`;
  }

  override em(token: Tokens.Em): string {
    return `<i>${this.parser.parseInline(token.tokens)}</i>`;
  }

  override del(token: Tokens.Del): string {
    return `<s>${this.parser.parseInline(token.tokens)}</s>`;
  }

  override br(): string {
    return "\n";
  }

  override link(token: Tokens.Link): string {
    if (!LINK_SCHEMES.test(token.href)) return this.parser.parseInline(token.tokens);
    return super.link({ ...token, title: null });
  }

  override image(token: Tokens.Image): string {
    const text = token.text || "image";
    if (!/^https?:/i.test(token.href)) return this.escape(text);
    const tokens: Tokens.Text[] = [{ type: "text", raw: text, text, escaped: false }];
    return super.link({ type: "link", raw: token.raw, href: token.href, title: null, text, tokens });
  }
}

// setOptions keeps our renderer instance; `use({ renderer })` would copy only own enumerable members.
const marked = new Marked().setOptions({ gfm: true, breaks: false, async: false, renderer: new TelegramRenderer() });

// marked passes entity references such as `&copy;` through, but Telegram knows only these
// named entities and rejects the message for any other: show the others literally.
const UNSUPPORTED_ENTITY = /&(?!(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-f]{1,6});)/gi;

/** Renders the agent's Markdown as Telegram HTML (parse_mode "HTML"). */
export function markdownToTelegramHtml(markdown: string): string {
  const html = marked.parse(markdown, { async: false });
  return html
    .replace(UNSUPPORTED_ENTITY, "&amp;")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Length of the text Telegram shows for our HTML (tags dropped, each entity one character or pair). */
export function visibleLength(html: string): number {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, code: string) => String.fromCodePoint(Number.parseInt(code, 16)))
    .replace(/&[a-z]+;/gi, "_").length;
}
