import { Low } from "lowdb";
import { JSONFile } from "lowdb/node";
import type { StoreState } from "../core/model.ts";
import { emptyState, StoreStateSchema } from "../core/model.ts";
import type { MergePatch, StorePort } from "../core/ports.ts";
import { mergePatchInPlace } from "./merge-patch.ts";
import { findResidentThreads } from "./resident.ts";

/**
 * The benchmark's baseline, deliberately naive: plain lowdb JSONFile, validated on
 * load, and the whole file rewritten (without fsync) for every change. Not for use.
 */
export async function openNaiveStore(path: string): Promise<StorePort> {
  const db = new Low<StoreState>(new JSONFile<StoreState>(path), emptyState());
  await db.read();
  db.data = StoreStateSchema.parse(db.data);
  return {
    get state() {
      return db.data;
    },
    async update(patch: MergePatch<StoreState>) {
      db.data = mergePatchInPlace(db.data, JSON.parse(JSON.stringify(patch))) as StoreState;
      await db.write();
    },
    load: async () => {},
    findThreads: async (query) => findResidentThreads(db.data, query),
    flush: async () => {},
    close: async () => {},
  };
}
