import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { build, compileModule } from "../../scripts/build.ts";
import { repoRoot } from "../../scripts/openclaw-paths.ts";

describe("compileModule", () => {
  it("erases types in place and points relative .ts imports at .js", () => {
    const source = [
      'import type { Thread } from "./model.ts";',
      'import { z } from "zod";',
      'import { slugify } from "../keys/thread-slug.ts";',
      "export const size: number = 3;",
      'export const later = () => import("./later.ts");',
      "export function name(thread: Thread): string {",
      "  return slugify(thread.name as string);",
      "}",
    ].join("\n");
    const out = compileModule(source);
    const lines = out.split("\n");
    // Same line count and columns: stack traces of the built bot point into the .ts sources.
    expect(lines).toHaveLength(8);
    expect(lines[1]).toBe('import { z } from "zod";');
    expect(lines[2]).toBe('import { slugify } from "../keys/thread-slug.js";');
    expect(lines[3]?.replace(/ +/g, " ")).toBe("export const size = 3;");
    expect(lines[3]).toHaveLength("export const size: number = 3;".length);
    expect(lines[4]).toBe('export const later = () => import("./later.js");');
    expect(lines[6]?.indexOf("slugify")).toBe(source.split("\n")[6]?.indexOf("slugify"));
    expect(out).not.toMatch(/\.ts["']/);
    expect(out).not.toContain("Thread)");
  });

  it("leaves package specifiers and strings that only look like paths alone", () => {
    const source = 'import x from "some-pkg/file.ts";\nconst help = "see ./notes.ts";\n';
    expect(compileModule(source)).toBe(source);
  });
});

describe("build", () => {
  // Inside the repository, so the built modules resolve node_modules as dist/ does.
  const root = join(repoRoot, ".cache");
  mkdirSync(root, { recursive: true });
  const out = mkdtempSync(join(root, "build-test-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("writes every module once, rewrites nothing unchanged, and removes outputs of deleted sources", () => {
    const first = build(out);
    expect(first.modules).toBeGreaterThan(50);
    expect(first.written).toBe(first.modules);
    expect(existsSync(join(out, "src", "main.js"))).toBe(true);
    expect(existsSync(join(out, "commands", "thread.js"))).toBe(true);

    const stale = join(out, "src", "core", "gone.js");
    writeFileSync(stale, "export {};\n");
    expect(build(out)).toEqual({ written: 0, modules: first.modules });
    expect(existsSync(stale)).toBe(false);
  });

  it("ships no tests, and the built modules run", async () => {
    expect(readFileSync(join(out, "src", "core", "keys", "session-key.js"), "utf8")).not.toMatch(/:\s*string\)/);
    const keys = (await import(pathToFileURL(join(out, "src", "core", "keys", "session-key.js")).href)) as {
      encodeSessionKey(parts: { agentId: string; slug: string }): string;
    };
    expect(keys.encodeSessionKey({ agentId: "main", slug: "budget-planning" })).toBe(
      "agent:main:named:budget-planning",
    );
    const model = (await import(pathToFileURL(join(out, "src", "core", "model.js")).href)) as {
      emptyState(): { version: number };
    };
    expect(model.emptyState().version).toBe(1);
  });
});
