import { randomUUID } from "node:crypto";
import { mkdir, open, rm } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import type { OutgoingFile } from "../../core/ports.ts";
import { safeFileName } from "../file-names.ts";

/** The console takes files as large as the agent sends; this only keeps a runaway file off the disk. */
export const CONSOLE_FILE_MAX_BYTES = 100 * 1024 * 1024;

// After this many taken names, a random suffix is certain to be free.
const NUMBERED_TRIES = 100;

/**
 * Writes a file the agent sent into `dir` under its own (made safe) name, never over another file:
 * `chart.png`, then `chart-2.png`, … Resolves with the absolute path written.
 */
export async function saveFile(dir: string, file: OutgoingFile): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const name = safeFileName(file.fileName, file.mimeType);
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? "" : n <= NUMBERED_TRIES ? `-${n}` : `-${randomUUID()}`;
    const path = resolve(join(dir, `${stem}${suffix}${extension}`));
    // "wx" fails when the name is taken, so two files saved at once never share one.
    const handle = await open(path, "wx", 0o600).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "EEXIST") return undefined;
      throw error;
    });
    if (!handle) continue;
    try {
      // Written piece by piece as the content yields them: the file is never whole in memory.
      await handle.writeFile(file.content.open());
      await handle.close();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(path, { force: true });
      throw error;
    }
    return path;
  }
}

/** `70 B`, `12.5 KB`, `3.2 MB`: a size as a person reads it. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
