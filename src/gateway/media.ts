import { z } from "zod";
import { BotError, ErrorCode } from "../core/errors.ts";
import type { AgentMedia, FetchedMedia } from "../core/ports.ts";

/**
 * Media the agent sent, as OpenClaw 2026.9.6 writes it into a transcript row once it has replaced
 * the row's `MEDIA:` lines (docs/openclaw-agent-loop.md): image parts, attachment parts, and
 * attachment_error parts for what it could not deliver.
 */
const ImagePart = z.looseObject({
  type: z.literal("image"),
  url: z.string(),
  alt: z.string().optional().catch(undefined),
  mimeType: z.string().optional().catch(undefined),
  sizeBytes: z.number().optional().catch(undefined),
});
const AttachmentPart = z.looseObject({
  type: z.literal("attachment"),
  attachment: z.looseObject({
    url: z.string(),
    kind: z.string().optional().catch(undefined),
    label: z.string().optional().catch(undefined),
    mimeType: z.string().optional().catch(undefined),
    sizeBytes: z.number().optional().catch(undefined),
  }),
});
const ErrorPart = z.looseObject({
  type: z.literal("attachment_error"),
  attachment: z
    .looseObject({
      code: z.string().optional().catch(undefined),
      label: z.string().optional().catch(undefined),
      path: z.string().optional().catch(undefined),
    })
    .catch({}),
});

/** The media parts of a message's content, in order. */
export function mediaParts(content: unknown): AgentMedia[] {
  if (!Array.isArray(content)) return [];
  return content.flatMap((part): AgentMedia[] => {
    const image = ImagePart.safeParse(part);
    if (image.success) {
      const { url, alt, mimeType, sizeBytes } = image.data;
      return [{ kind: "image", url, fileName: alt ?? nameOf(url, "image"), mimeType, size: sizeBytes }];
    }
    const file = AttachmentPart.safeParse(part);
    if (file.success) {
      const { url, kind, label, mimeType, sizeBytes } = file.data.attachment;
      const image = kind === "image" || mimeType?.startsWith("image/");
      return [
        { kind: image ? "image" : "file", url, fileName: label ?? nameOf(url, "file"), mimeType, size: sizeBytes },
      ];
    }
    const failed = ErrorPart.safeParse(part);
    if (failed.success) {
      const { code, label, path } = failed.data.attachment;
      return [
        { kind: "file", fileName: label ?? (path ? nameOf(path, "file") : "a file"), error: code ?? "not delivered" },
      ];
    }
    return [];
  });
}

function nameOf(pathOrUrl: string, fallback: string): string {
  return pathOrUrl.split(/[/\\]/).filter(Boolean).at(-1) ?? fallback;
}

/**
 * Fetches one media file from the gateway's authenticated media route (`Authorization: Bearer
 * <token>` on the gateway's own port), refusing more than `maxBytes` without reading it all.
 */
export async function fetchGatewayMedia(options: {
  gatewayUrl: string;
  token: string;
  path: string;
  maxBytes: number;
  fetch?: typeof fetch;
}): Promise<FetchedMedia> {
  const base = new URL(options.gatewayUrl);
  base.protocol = base.protocol === "wss:" ? "https:" : "http:";
  const url = new URL(options.path, base);
  if (url.origin !== base.origin) throw new BotError(ErrorCode.BadInput, "media outside the gateway");
  const response = await (options.fetch ?? fetch)(url, { headers: { authorization: `Bearer ${options.token}` } });
  if (!response.ok || !response.body) {
    throw new BotError(ErrorCode.GatewayError, `The gateway did not give the file (HTTP ${response.status}).`);
  }
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > options.maxBytes) {
    await response.body.cancel();
    throw new BotError(ErrorCode.BadInput, "too large", { details: { size: declared } });
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > options.maxBytes) throw new BotError(ErrorCode.BadInput, "too large", { details: { size } });
    chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks), mimeType: response.headers.get("content-type") ?? undefined };
}
