import type { IncomingMessage } from "node:http";
import type { Api } from "grammy";
import { BotError, ErrorCode } from "../../core/errors.ts";
import { httpGet } from "../http-get.ts";
import { platformError } from "./errors.ts";

/** Telegram's getFile stops at 20 MB: a bigger file cannot be downloaded by a bot at all. */
export const TELEGRAM_DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024;

/** grammY's default Bot API root, which file downloads share with the methods. */
const DEFAULT_API_ROOT = "https://api.telegram.org";

// A stalled download would hold its conversation's later messages back; 20 MB takes seconds.
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

/**
 * Downloads files people sent, as streams: getFile (through grammY, with its retries) names the
 * file's path, and the bytes come from `<apiRoot>/file/bot<token>/<path>`. That URL holds the
 * token, so it never appears in an error or a log line.
 */
export class TelegramDownloads {
  readonly #api: Api;
  readonly #token: string;
  readonly #apiRoot: string;

  constructor(options: { api: Api; token: string; apiRoot?: string | undefined }) {
    this.#api = options.api;
    this.#token = options.token;
    this.#apiRoot = options.apiRoot ?? DEFAULT_API_ROOT;
  }

  /** The bytes of a file, streamed; rejects when Telegram will not give them (too big, expired). */
  async open(fileId: string): Promise<AsyncIterable<Uint8Array>> {
    let path: string | undefined;
    try {
      path = (await this.#api.getFile(fileId)).file_path;
    } catch (error) {
      // The one refusal the core words itself: a file over the 20 MB a bot may download.
      if (/file is too big/i.test(String((error as { description?: unknown }).description ?? error))) {
        throw new BotError(ErrorCode.BadInput, "file is too big", { details: { tooLarge: true } });
      }
      throw platformError("hand over a file", error);
    }
    if (!path) throw new BotError(ErrorCode.Platform, "Telegram named no path to download the file from.");
    const url = `${this.#apiRoot}/file/bot${this.#token}/${path.split("/").map(encodeURIComponent).join("/")}`;
    let response: IncomingMessage;
    try {
      response = await httpGet(url, DOWNLOAD_TIMEOUT_MS);
    } catch (error) {
      // Only the error's name: the messages and causes may quote the URL.
      const name = error instanceof Error ? error.name : "unknown";
      throw new BotError(ErrorCode.Platform, "Could not reach Telegram to download a file.", { details: { name } });
    }
    if (response.statusCode !== 200) {
      response.resume();
      throw new BotError(ErrorCode.Platform, `Telegram refused to send the file (HTTP ${response.statusCode}).`);
    }
    return response;
  }
}
