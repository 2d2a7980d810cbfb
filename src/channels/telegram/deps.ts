import type { AppPort } from "../../core/app-port.ts";
import type { AlbumCollector } from "./albums.ts";
import type { TelegramDownloads } from "./downloads.ts";
import type { ConversationOrder } from "./order.ts";
import type { TelegramOutgoing } from "./outgoing.ts";
import type { PlaceDeps } from "./place.ts";

/**
 * What the update handlers share: the core, the way out, the per-conversation order, the albums
 * being collected, file downloads, and what a Place needs.
 */
export interface HandlerDeps extends PlaceDeps {
  app: AppPort;
  outgoing: TelegramOutgoing;
  order: ConversationOrder;
  albums: AlbumCollector;
  downloads: TelegramDownloads;
}
