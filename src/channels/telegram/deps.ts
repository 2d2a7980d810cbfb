import type { AppPort } from "../../core/app-port.ts";
import type { ConversationOrder } from "./order.ts";
import type { TelegramOutgoing } from "./outgoing.ts";
import type { PlaceDeps } from "./place.ts";

/** What the update handlers share: the core, the way out, the per-conversation order, and what a Place needs. */
export interface HandlerDeps extends PlaceDeps {
  app: AppPort;
  outgoing: TelegramOutgoing;
  order: ConversationOrder;
}
