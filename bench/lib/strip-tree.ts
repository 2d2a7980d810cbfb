/**
 * Writes a plain-JavaScript copy of src/ and commands/ (types stripped with Node's own
 * module.stripTypeScriptTypes, `.ts` import specifiers rewritten to `.js`) into `<out>`, with
 * node_modules linked: the same bot without type stripping at run time, for the idle comparison.
 * Run as a child: `node --disable-warning=ExperimentalWarning bench/lib/strip-tree.ts <out>`.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { stripTypeScriptTypes } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const SPECIFIER = /((?:from|import)\s*\(?\s*["'][^"']+)\.ts(["'])/g;

function copyTree(out: string, relative: string): void {
  for (const name of readdirSync(join(repo, relative))) {
    const path = join(relative, name);
    if (statSync(join(repo, path)).isDirectory()) {
      copyTree(out, path);
      continue;
    }
    if (!name.endsWith(".ts")) continue;
    const code = stripTypeScriptTypes(readFileSync(join(repo, path), "utf8"), { mode: "strip" });
    const target = join(out, path.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code.replace(SPECIFIER, "$1.js$2"));
  }
}

const out = process.argv[2];
if (!out) {
  console.error("usage: strip-tree.ts <out-dir>");
  process.exit(2);
}
for (const folder of ["src", "commands"]) copyTree(out, folder);
writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
symlinkSync(join(repo, "node_modules"), join(out, "node_modules"), "dir");
