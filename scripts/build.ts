/**
 * `npm run build` (and `prestart`): turns src/ and commands/ into plain JavaScript under dist/, so the
 * running bot never loads Node's TypeScript stripper (a WebAssembly module that costs 15–30 MB of RSS for
 * the life of the process; see bench/README.md, idle). Types are erased with Node's own
 * `module.stripTypeScriptTypes` in "strip" mode, which keeps every line and column, so stack traces
 * point at the right place in the .ts sources without source maps; `.ts` import specifiers become `.js`.
 *
 * Safe to run while a bot runs from dist/ (a second terminal's `npm start`): a file is rewritten only when
 * its output changed, through a temp file and a rename, so an import never reads a half-written file.
 * Files of deleted sources are removed.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = dirname(dirname(fileURLToPath(import.meta.url)));

/** The folders compiled, relative to the repository. */
const SOURCES = ["src", "commands"];

/** Static and dynamic import specifiers ending in `.ts` (relative ones; packages never end so). */
const SPECIFIER = /((?:\bfrom|\bimport)\s*\(?\s*["']\.{1,2}\/[^"']+)\.ts(["'])/g;

/** Where the build goes. */
export const distDir = join(repo, "dist");

/** The compiled entry point `npm start` runs. */
export const distEntry = join(distDir, "src", "main.js");

/** JavaScript for one TypeScript module: types erased in place, `.ts` specifiers rewritten. */
export function compileModule(source: string): string {
  return stripTypeScriptTypes(source, { mode: "strip" }).replace(SPECIFIER, "$1.js$2");
}

/** Every .ts file under `folder` (tests are not shipped), relative to the repository. */
function sourcesUnder(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(repo, folder), { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...sourcesUnder(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

/** Writes `text` to `path` unless it already holds exactly that; atomically (temp file + rename). */
function writeIfChanged(path: string, text: string): boolean {
  if (existsSync(path) && readFileSync(path, "utf8") === text) return false;
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
  return true;
}

/** Removes files under `dir` that are not in `keep` (outputs of deleted sources). */
function removeStale(dir: string, keep: ReadonlySet<string>): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) removeStale(path, keep);
    else if (!keep.has(path) && !entry.name.endsWith(".tmp")) rmSync(path);
  }
}

/** Builds dist/ (or `out`); returns how many files were (re)written. */
export function build(out = distDir): { written: number; modules: number } {
  const outputs = new Set<string>();
  let written = 0;
  for (const folder of SOURCES) {
    for (const source of sourcesUnder(folder)) {
      const target = join(out, source.replace(/\.ts$/, ".js"));
      outputs.add(target);
      if (writeIfChanged(target, compileModule(readFileSync(join(repo, source), "utf8")))) written++;
    }
  }
  for (const folder of SOURCES) removeStale(join(out, folder), outputs);
  return { written, modules: outputs.size };
}

/**
 * Builds dist/ in a child process, as `npm start` does, so the caller (the demo, the e2e console bot,
 * the memory benchmarks) runs what ships without loading the type stripper itself; returns the entry.
 */
export function buildDist(): string {
  execFileSync(process.execPath, ["--disable-warning=ExperimentalWarning", fileURLToPath(import.meta.url)], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  return distEntry;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { written, modules } = build();
  if (written > 0) console.error(`build: ${written} of ${modules} modules written to dist/`);
}
