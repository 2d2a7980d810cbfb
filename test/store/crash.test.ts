import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import { openJsonStore } from "../../src/store/json-store.ts";
import { crashSafety } from "./crash-suite.ts";
import { tempDir } from "./helpers.ts";

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await mkdir(join(dir, "live"), { recursive: true });
});
afterAll(() => cleanup());

describe("crash safety: JSON store", () => {
  crashSafety(() => {
    const path = join(dir, "live", "threads.json");
    return {
      kind: "json",
      where: path,
      // A copy of the crashed files, so the next writer still meets the crash as it was.
      async open(iteration) {
        const checkDir = join(dir, `check-${iteration}`);
        await mkdir(checkDir);
        const copy = join(checkDir, "threads.json");
        await copyFile(path, copy);
        await copyFile(`${path}.log`, `${copy}.log`).catch(() => undefined);
        return openJsonStore({ path: copy });
      },
    };
  });
});
