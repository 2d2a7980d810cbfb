/** Glue between vitest and the harness: the per-run temp folder and the gateway ledger from global-setup.ts. */
import { join } from "node:path";
import { inject } from "vitest";
import type { FakeModel } from "./fake-model.ts";
import { type Gateway, type GatewayOptions, startGateway } from "./gateway.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Folder every e2e gateway's temp root is created in; global teardown checks it for leftovers. */
    e2eRunDir: string;
  }
}

/** The ledger of every gateway started in this run (name, root, port, pid). */
export const LEDGER_NAME = "ledger.jsonl";

/** Starts a gateway for `model` inside this run's temp folder, recorded in the ledger. */
export function startE2eGateway(model: FakeModel, name: string, extra: Partial<GatewayOptions> = {}): Promise<Gateway> {
  const runDir = inject("e2eRunDir");
  return startGateway({
    modelBaseUrl: model.baseUrl,
    parentDir: runDir,
    ledgerFile: join(runDir, LEDGER_NAME),
    name,
    ...extra,
  });
}

/** A session key of ARCHITECTURE.md §3's form for `slug`. */
export function namedKey(slug: string): string {
  return `agent:main:named:${slug}`;
}
