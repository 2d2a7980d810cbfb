import type { Clock, GatewayPort, StorePort } from "../ports.ts";
import type { ThreadRegistry } from "../threads/registry.ts";
import type { Relay } from "../turns/relay.ts";
import type { Resumer } from "../turns/resume.ts";
import type { Access } from "./access.ts";
import type { CommandDefinition } from "./command.ts";

/** What command handlers may use. */
export interface Services {
  threads: ThreadRegistry;
  relay: Relay;
  resumer: Resumer;
  access: Access;
  gateway: GatewayPort;
  store: StorePort;
  clock: Clock;
  /** All command definitions (for /help). */
  commands(): readonly CommandDefinition<unknown, Services>[];
}
