import { readFileSync } from "node:fs";

/**
 * The V8/Node flags `npm start` runs the bot with (from package.json's start script), so that memory is
 * measured on the bot as people run it.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    scripts: Record<string, string>;
  };
  return (pkg.scripts.start ?? "")
    .split(/\s+/)
    .filter((token) => token.startsWith("--") && !token.startsWith("--env-file"));
}
