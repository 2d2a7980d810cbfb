import { BotError, ErrorCode, isBotError } from "../errors.ts";
import type { AttachmentKind, AttachmentRef } from "../model.ts";
import type { AttachmentLimits, BlobStore, GatewayPort, Logger, OutgoingAttachment } from "../ports.ts";
import { texts } from "../texts.ts";

/**
 * The ceilings OpenClaw 2026.9.6 announced in hello-ok (docs/openclaw-agent-loop.md), used while the
 * bot has not yet heard from the gateway (a message queued while it is away).
 */
const DEFAULT_LIMITS: AttachmentLimits = { maxBytes: 19_464_192, maxImageBytes: 6_291_456 };

/** A file that came with a person's message, before the bot has its bytes. */
export interface InboundFile {
  kind: AttachmentKind;
  fileName: string;
  /** What the platform says it is; the bytes decide for images. */
  mimeType?: string | undefined;
  /** The size the platform declared, when it did (checked before anything is downloaded). */
  size?: number | undefined;
  /** The platform's own download ceiling (Telegram's getFile stops at 20 MB). */
  platformMaxBytes?: number | undefined;
  /** The platform's name, for a refusal ("Telegram"). */
  platform: string;
  /** Fetches the bytes from the platform; rejects when it will not give them (expired, deleted). */
  download(): Promise<AsyncIterable<Uint8Array>>;
}

/**
 * Takes the files of a message into the blob store before the message is journaled, all or none:
 * each within the gateway's and the platform's ceilings, not empty, an image only when its bytes
 * are one. A refusal is one line naming the file and the limit, and nothing is kept or sent.
 */
export class AttachmentIntake {
  readonly #blobs: BlobStore;
  readonly #gateway: Pick<GatewayPort, "attachmentLimits">;
  readonly #logger: Logger;

  constructor(options: { blobs: BlobStore; gateway: Pick<GatewayPort, "attachmentLimits">; logger: Logger }) {
    this.#blobs = options.blobs;
    this.#gateway = options.gateway;
    this.#logger = options.logger;
  }

  /** Stores every file of a message, in order; throws BAD_INPUT (with nothing kept) when one cannot go. */
  async take(files: readonly InboundFile[]): Promise<AttachmentRef[]> {
    for (const file of files) this.#checkDeclared(file);
    const refs: AttachmentRef[] = [];
    try {
      for (const file of files) refs.push(await this.#takeOne(file));
      return refs;
    } catch (error) {
      await this.release(refs);
      throw error;
    }
  }

  /** Removes the stored bytes of refs (after their turn ended, or when it could not be journaled). */
  async release(refs: readonly AttachmentRef[] | undefined): Promise<void> {
    if (!refs?.length) return;
    await this.#blobs.remove(refs.map((r) => r.blob)).catch((error: unknown) => {
      this.#logger.warn("could not remove attachment files", { error });
    });
  }

  /** What chat.send carries for refs: each read from the blob store when the request is written. */
  outgoing(refs: readonly AttachmentRef[] | undefined): OutgoingAttachment[] | undefined {
    if (!refs?.length) return undefined;
    return refs.map((ref) => ({
      type: ref.kind,
      mimeType: ref.mimeType,
      fileName: ref.fileName,
      size: ref.size,
      read: () => this.#blobs.read(ref.blob),
    }));
  }

  #limit(file: InboundFile): { bytes: number; what: string } {
    const gateway = this.#gateway.attachmentLimits ?? DEFAULT_LIMITS;
    const agent = file.kind === "image" ? gateway.maxImageBytes : gateway.maxBytes;
    const platform = file.platformMaxBytes ?? Number.POSITIVE_INFINITY;
    if (platform < agent) return { bytes: platform, what: texts.platformLimit(file.platform) };
    return { bytes: agent, what: texts.agentLimit(file.kind) };
  }

  #checkDeclared(file: InboundFile): void {
    const limit = this.#limit(file);
    if (file.size !== undefined && file.size > limit.bytes) {
      throw new BotError(ErrorCode.BadInput, texts.fileTooLarge(file.fileName, file.size, limit.bytes, limit.what));
    }
  }

  async #takeOne(file: InboundFile): Promise<AttachmentRef> {
    const limit = this.#limit(file);
    let bytes: AsyncIterable<Uint8Array>;
    try {
      bytes = await file.download();
    } catch (error) {
      this.#logger.warn("could not download an attachment", { platform: file.platform, error });
      // The platform said the file is over what it lets a bot download (its size was not declared).
      if (isBotError(error, ErrorCode.BadInput) && error.details?.tooLarge === true) {
        const most = file.platformMaxBytes ?? limit.bytes;
        throw new BotError(
          ErrorCode.BadInput,
          texts.fileTooLarge(file.fileName, undefined, most, texts.platformLimit(file.platform)),
        );
      }
      throw new BotError(ErrorCode.BadInput, texts.fileUnavailable(file.fileName, file.platform), { cause: error });
    }
    const sniff = sniffer(bytes);
    let stored: { id: string; size: number };
    try {
      stored = await this.#blobs.write(sniff.bytes, limit.bytes);
    } catch (error) {
      if (!isBotError(error, ErrorCode.BadInput)) throw error;
      throw new BotError(ErrorCode.BadInput, texts.fileTooLarge(file.fileName, undefined, limit.bytes, limit.what));
    }
    const ref = { kind: file.kind, fileName: file.fileName, size: stored.size, blob: stored.id };
    const problem = stored.size === 0 ? texts.fileEmpty(file.fileName) : this.#imageProblem(file, sniff.head());
    if (problem) {
      await this.#blobs.remove([stored.id]);
      throw new BotError(ErrorCode.BadInput, problem);
    }
    const mimeType = file.kind === "image" ? imageType(sniff.head()) : file.mimeType;
    return { ...ref, mimeType: mimeType ?? "application/octet-stream" };
  }

  #imageProblem(file: InboundFile, head: Uint8Array): string | undefined {
    return file.kind === "image" && imageType(head) === undefined ? texts.notAnImage(file.fileName) : undefined;
  }
}

/** Passes bytes through and keeps their first 16 (enough to tell an image format). */
function sniffer(source: AsyncIterable<Uint8Array>) {
  let head = new Uint8Array(0);
  async function* bytes(): AsyncIterable<Uint8Array> {
    for await (const chunk of source) {
      if (head.length < 16) head = Uint8Array.from([...head, ...chunk.subarray(0, 16 - head.length)]);
      yield chunk;
    }
  }
  return { bytes: bytes(), head: () => head };
}

/** The image format of these first bytes, among those a model reads (PNG, JPEG, GIF, WebP). */
export function imageType(head: Uint8Array): string | undefined {
  const starts = (...sig: number[]) => sig.every((b, i) => head[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "image/gif";
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "image/webp";
  return undefined;
}
