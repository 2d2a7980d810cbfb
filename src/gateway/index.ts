/**
 * The OpenClaw gateway adapter: a protocol v4 client implementing the core's GatewayPort.
 *
 * @module
 */
export { createOpenClawGateway, OpenClawGateway } from "./client.ts";
export type { Timers } from "./connection.ts";
export type { OpenClawGatewayOptions, RequestOptions } from "./options.ts";
export { type CreateSocket, checkGatewayUrl, type GatewaySocket } from "./socket.ts";
