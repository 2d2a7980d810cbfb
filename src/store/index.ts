/**
 * The store port's implementations: the lowdb JSON store (snapshot + change log), an
 * in-memory store for tests, and the naive baseline the benchmarks compare against.
 * @module
 */
export { type JsonStore, type JsonStoreOptions, type JsonStoreStats, openJsonStore } from "./json-store.ts";
export { MemoryStore } from "./memory-store.ts";
export { applyMergePatch } from "./merge-patch.ts";
export { migrations, STORE_VERSION } from "./migrations.ts";
export { openNaiveStore } from "./naive-store.ts";
export { type StorePaths, storePaths } from "./paths.ts";
