/**
 * Helpers for the agent-loop e2e files (attachments, media, exec approvals, tool events): tiny valid files built
 * by hand, `chat.send` with attachments, the parts of what the model received, gateway errors as the gateway
 * worded them, and an async poll for states no event announces.
 */
import { randomUUID } from "node:crypto";
import type { FakeModel, ModelRequest } from "./fake-model.ts";
import { GatewayRequestError } from "./frames.ts";
import type { RawClient } from "./raw-client.ts";
import { chatText, isChatEnd } from "./turns.ts";

/** A valid 1×1 PNG (70 bytes). */
export const PNG_1X1_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/** A one-page PDF whose only text is `text` (Helvetica, uncompressed), with a correct xref table. */
export function tinyPdf(text = "Hello PDF"): Buffer {
  const stream = `BT /F1 12 Tf 20 50 Td (${text}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/** A 0.1 s mono 16-bit PCM WAV at 8 kHz (a sine tone). */
export function tinyWav(): Buffer {
  const samples = 800;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin(i / 5) * 8000), i * 2);
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8);
  header.write("fmt ", 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** A PNG signature and header followed by zeros, `size` bytes in all: sniffed as image/png, never decodable. */
export function pngOfSize(size: number): Buffer {
  const head = Buffer.from(PNG_1X1_BASE64, "base64").subarray(0, 33);
  return Buffer.concat([head, Buffer.alloc(size - head.length)]);
}

/** One `chat.send` attachment in the shape the gateway documents. */
export function attachment(
  type: string,
  mimeType: string,
  fileName: string,
  bytes: Buffer,
): { type: string; mimeType: string; fileName: string; content: string } {
  return { type, mimeType, fileName, content: bytes.toString("base64") };
}

/** A gateway `ok:false` answer, with the gateway's own message (without the client's "<method> failed: " prefix). */
export interface GatewayError {
  code: string;
  message: string;
  details: unknown;
}

/** Resolves with the gateway's error for a request that must fail (and fails the test if it succeeds). */
export async function gatewayError(pending: Promise<unknown>): Promise<GatewayError> {
  try {
    await pending;
  } catch (err) {
    if (!(err instanceof GatewayRequestError)) throw err;
    const prefix = `${err.method} failed: ${err.code} `;
    const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
    return { code: err.code, message, details: err.details };
  }
  throw new Error("the request succeeded; a gateway error was expected");
}

/** What one `chat.send` turn produced. */
export interface AttachmentTurn {
  runId: string;
  state: string;
  text: string;
  end: Record<string, unknown>;
  /** Model requests of this turn (the turn and its tool follow-ups; title requests left out). */
  requests: ModelRequest[];
  /** Index in `client.events` where the turn's events start. */
  since: number;
}

/** `chat.send {deliver:false, attachments}`, then the run's terminal `chat` event. */
export async function sendWithAttachments(
  client: RawClient,
  model: FakeModel,
  sessionKey: string,
  message: string,
  attachments: unknown[],
  timeoutMs = 60_000,
): Promise<AttachmentTurn> {
  const since = client.mark();
  const before = model.requests.length;
  const ack = await client.request<{ runId: string }>("chat.send", {
    sessionKey,
    message,
    idempotencyKey: randomUUID(),
    deliver: false,
    attachments,
  });
  const end = await client.waitForEvent(isChatEnd(ack.runId), timeoutMs, since);
  const requests = model.requests.slice(before).filter((r) => r.kind === "turn" || r.kind === "tool-followup");
  return {
    runId: ack.runId,
    state: String(end.payload.state),
    text: chatText(end.payload),
    end: end.payload,
    requests,
    since,
  };
}

/** One content part of an OpenAI-style message. */
export interface ContentPart {
  type: string;
  text?: string;
  image_url?: { url: string };
}

/**
 * The content parts of the person's message in a model request: the last user message that is not
 * OpenClaw's internal-context message (string content becomes one text part).
 */
export function userParts(request: ModelRequest | undefined): ContentPart[] {
  const users = (request?.rawMessages ?? []).filter((m) => (m as { role?: string }).role === "user") as {
    content?: unknown;
  }[];
  for (let i = users.length - 1; i >= 0; i--) {
    const content = users[i]?.content;
    const parts: ContentPart[] =
      typeof content === "string" ? [{ type: "text", text: content }] : (content as ContentPart[]);
    if (!Array.isArray(parts)) continue;
    if (parts[0]?.type === "text" && parts[0].text?.startsWith("<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT")) continue;
    return parts;
  }
  return [];
}

/** All text of `parts`, joined with newlines. */
export function partsText(parts: ContentPart[]): string {
  return parts
    .filter((p) => p.type === "text")
    .map((p) => p.text ?? "")
    .join("\n");
}

/** Resolves with the first truthy value of `probe()`, tried every `everyMs`; throws naming `what` after the budget. */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** An HTTP answer of the gateway, body as bytes. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** `GET http://127.0.0.1:<port><path>` with optional headers. */
export async function httpGet(port: number, path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: Object.fromEntries(res.headers), body };
}

/**
 * A gateway `configure` hook: the fake model takes images (without `["text","image"]` the gateway offloads
 * images to a file reference instead of sending them), and attachments are capped at `mediaMaxMb`.
 */
export function imageModelConfig(mediaMaxMb: number): (config: unknown) => void {
  return (config) => {
    const c = config as {
      agents: { defaults: Record<string, unknown> };
      models: { providers: { fake: { models: { input: string[] }[] } } };
    };
    for (const m of c.models.providers.fake.models) m.input = ["text", "image"];
    c.agents.defaults.mediaMaxMb = mediaMaxMb;
  };
}
