import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("..", import.meta.url).pathname;
const IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/gm;

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function imports(path: string): string[] {
  return [...readFileSync(join(ROOT, path), "utf8").matchAll(IMPORT)].map((m) => m[1] ?? "");
}

const PLATFORM = /^(grammy|@grammyjs\/|discord\.js|@discordjs\/|ws$|lowdb)/;

describe("import boundaries (house style rule 1)", () => {
  it("src/core imports no platform SDK, no ws, no lowdb, and nothing outside core", () => {
    for (const file of files("src/core")) {
      for (const spec of imports(file)) {
        expect(PLATFORM.test(spec), `${file} imports ${spec}`).toBe(false);
        if (spec.startsWith("."))
          expect(relative("src/core", join(file, "..", spec)).startsWith(".."), `${file} imports ${spec}`).toBe(false);
      }
    }
  });

  it("commands/ import only zod and src/core", () => {
    for (const file of files("commands")) {
      for (const spec of imports(file)) {
        // Resolved, so a subcommand in commands/thread/ follows the same rule as commands/*.ts.
        const target = relative(ROOT, join(ROOT, file, "..", spec));
        const ok = spec === "zod" || (spec.startsWith(".") && /^(commands|src\/core)\//.test(target));
        expect(ok, `${file} imports ${spec}`).toBe(true);
      }
    }
  });

  it("commands see neither the store nor the gateway: the thread registry is their way in", () => {
    for (const file of [...files("commands"), "src/core/commands/services.ts"]) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const spec of imports(file)) {
        expect(/(^|\/)(store|gateway)(\/|$)/.test(spec), `${file} imports ${spec}`).toBe(false);
      }
      expect(/\b(StorePort|GatewayPort)\b/.test(text), `${file} names the store or gateway port`).toBe(false);
      expect(/services\.(store|gateway)\b/.test(text), `${file} reaches services.store/gateway`).toBe(false);
    }
  });

  it("no file in src/ or commands/ is over 300 lines (house style rule 8)", () => {
    for (const file of [...files("src"), ...files("commands")]) {
      const lines = readFileSync(join(ROOT, file), "utf8").trimEnd().split("\n").length;
      expect(lines, `${file} has ${lines} lines`).toBeLessThanOrEqual(300);
    }
  });

  it("no test mocks one of our own modules", () => {
    for (const file of files("test")) {
      const text = readFileSync(join(ROOT, file), "utf8");
      expect(/vi\.mock\(\s*["'](\.|\/)/.test(text), file).toBe(false);
    }
  });
});
