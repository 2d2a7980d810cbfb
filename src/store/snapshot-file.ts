import type { Adapter } from "lowdb";
import type { StoreState } from "../core/model.ts";
import { encodeRecord, type RecordCodec } from "./columns.ts";
import { readBytesIfExists, writeFileDurable } from "./durable-fs.ts";

/** What the snapshot file holds: the state, and the last log seq already folded into it. */
export interface Snapshot {
  /** Log lines with a seq up to this one are in `state`; replay starts after it. */
  logSeq: number;
  state: StoreState;
}

/** Hooks of a SnapshotFile, in the spirit of lowdb's DataFile `parse`/`stringify`. */
export interface SnapshotFileHooks<T> {
  /** Text → raw tree. Split from `validate` so the file's text can be collected before validation allocates. */
  parse: (text: string) => unknown;
  /** Raw tree → data; this is where zod runs. Throws on an invalid tree. */
  validate: (raw: unknown) => T;
  /**
   * Data → text chunks, consumed synchronously by the write: the image is of one
   * instant even though updates keep arriving while the file is fsynced.
   */
  serialize: (data: T) => Iterable<string>;
}

/**
 * A lowdb adapter like DataFile, but durable: a write goes to a temp file that is
 * fsynced and renamed over the file, then the directory is fsynced (lowdb's steno
 * writer renames without fsync, so a power loss can leave an empty file).
 */
export class SnapshotFile<T> implements Adapter<T | null> {
  readonly #path: string;
  readonly #hooks: SnapshotFileHooks<T>;

  constructor(path: string, hooks: SnapshotFileHooks<T>) {
    this.#path = path;
    this.#hooks = hooks;
  }

  /** Reads, parses and validates the file; null when it does not exist. */
  async read(): Promise<T | null> {
    const raw = await this.#readRaw();
    return raw === null ? null : this.#hooks.validate(raw.tree);
  }

  async #readRaw(): Promise<{ tree: unknown } | null> {
    const text = await this.#readText();
    return text === null ? null : { tree: this.#hooks.parse(text) };
  }

  /** Decodes in its own frame so the bytes can be collected before parsing allocates. */
  async #readText(): Promise<string | null> {
    const bytes = await readBytesIfExists(this.#path);
    return bytes === null ? null : bytes.toString("utf8");
  }

  /** Replaces the file atomically and durably; a null (lowdb's empty) is not written. */
  async write(data: T | null): Promise<void> {
    if (data === null) return;
    await writeFileDurable(this.#path, this.#hooks.serialize(data));
  }
}

/** Pieces are joined into chunks of about this many characters: one write per ~1 MiB. */
const CHUNK_CHARS = 1 << 20;

/**
 * Serializes a snapshot as JSON: the header (`version`, `logSeq`), then one field per
 * line, record fields as columns (columns.ts). Lazy, in ~1 MiB chunks: writing a 50 MB
 * snapshot never holds it as one string (JSON.stringify would, plus a Buffer copy).
 */
export function* serializeSnapshot(
  snapshot: Snapshot,
  layout: { version: number; codecs: ReadonlyMap<string, RecordCodec> },
): Generator<string> {
  let pieces: string[] = [];
  let size = 0;
  for (const piece of snapshotPieces(snapshot, layout)) {
    pieces.push(piece);
    size += piece.length;
    if (size < CHUNK_CHARS) continue;
    yield pieces.join("");
    pieces = [];
    size = 0;
  }
  yield pieces.join("");
}

function* snapshotPieces(
  snapshot: Snapshot,
  { version, codecs }: { version: number; codecs: ReadonlyMap<string, RecordCodec> },
): Generator<string> {
  // The file's version numbers its layout; the state's own `version` is not written.
  yield `{"version":${version},"logSeq":${snapshot.logSeq}`;
  const state = snapshot.state as unknown as Record<string, unknown>;
  for (const key of Object.keys(state)) {
    const value = state[key];
    if (key === "version" || value === undefined) continue;
    yield `,\n${JSON.stringify(key)}:`;
    const codec = codecs.get(key);
    if (codec === undefined) yield JSON.stringify(value);
    else yield* encodeRecord(value as Record<string, unknown>, codec);
  }
  yield "\n}\n";
}
