import type { Channels } from "../channels.ts";
import type { Clock, GatewayPort, Logger, StorePort } from "../ports.ts";

/** What the parts of the turn lifecycle are built from: the store, the gateway, the channels, time and a log. */
export interface TurnDeps {
  store: StorePort;
  gateway: GatewayPort;
  channels: Channels;
  clock: Clock;
  logger: Logger;
}
