import type { Channels } from "../channels.ts";
import { isBotError } from "../errors.ts";
import { bytesContent } from "../file-content.ts";
import type { JournalEntry } from "../model.ts";
import type { AgentMedia, GatewayPort, Logger } from "../ports.ts";
import { megabytes, texts } from "../texts.ts";
import { answerInTranscript } from "./transcript.ts";

/** OpenClaw writes a reply's files into its transcript row about a second after the run ends. */
const LOOKS = 12;
const LOOK_EVERY_MS = 250;

/**
 * The files of an agent's reply, shown natively after its text (a photo, a document; the console
 * saves them), each fetched from the gateway's media route. What cannot be shown gets one line.
 */
export class MediaDelivery {
  readonly #gateway: GatewayPort;
  readonly #channels: Channels;
  readonly #logger: Logger;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: {
    gateway: GatewayPort;
    channels: Channels;
    logger: Logger;
    sleep?: ((ms: number) => Promise<void>) | undefined;
  }) {
    this.#gateway = options.gateway;
    this.#channels = options.channels;
    this.#logger = options.logger;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Shows the reply's files: `known` when the transcript already had them, else looked up (once they are there). */
  async deliver(entry: JournalEntry, known: { media: AgentMedia[]; mediaPending: boolean } | undefined): Promise<void> {
    const media = known && !known.mediaPending ? known.media : await this.#lookUp(entry);
    for (const item of media) await this.#show(entry.conversation, item);
  }

  async #lookUp(entry: JournalEntry): Promise<AgentMedia[]> {
    for (let look = 0; look < LOOKS; look++) {
      try {
        const history = await this.#gateway.chatHistory({ sessionKey: entry.sessionKey, limit: 100 });
        const answer = answerInTranscript(history.messages, entry.turnId);
        if (answer.media.length > 0 && !answer.mediaPending) return answer.media;
      } catch (error) {
        this.#logger.warn("could not read the reply's files", { turnId: entry.turnId, error });
      }
      await this.#sleep(LOOK_EVERY_MS);
    }
    this.#logger.warn("the reply's files never reached the transcript", { turnId: entry.turnId });
    return [];
  }

  async #show(conversation: string, item: AgentMedia): Promise<void> {
    const channel = this.#channels.for(conversation);
    const say = (text: string) => channel.send(conversation, { text, format: "plain" });
    try {
      if (item.error || !item.url) return void (await say(texts.mediaUndelivered(item.fileName, item.error)));
      if (!channel.sendFile || channel.maxFileBytes === undefined)
        return void (await say(texts.mediaNotHere(item.fileName)));
      if (item.size !== undefined && item.size > channel.maxFileBytes) {
        return void (await say(
          texts.mediaTooLarge(item.fileName, megabytes(item.size), megabytes(channel.maxFileBytes)),
        ));
      }
      const fetched = await this.#gateway.fetchMedia({ url: item.url, maxBytes: channel.maxFileBytes });
      const mimeType = item.mimeType ?? fetched.mimeType ?? "application/octet-stream";
      await channel.sendFile(conversation, {
        kind: item.kind,
        fileName: item.fileName,
        mimeType,
        content: bytesContent(fetched.bytes),
      });
    } catch (error) {
      this.#logger.warn("could not show a file of the agent's", { conversation, error });
      const line =
        isBotError(error) && error.message === "too large"
          ? texts.mediaTooLarge(item.fileName, "", megabytes(channel.maxFileBytes ?? 0))
          : texts.mediaUnavailable(item.fileName);
      await say(line).catch(() => undefined);
    }
  }
}
