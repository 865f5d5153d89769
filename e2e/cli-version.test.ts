/**
 * `keygate --version` through the real bin, as `npx keygate --version` runs
 * it: the version of the installed server package, and nothing else.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/run-cli.ts";
import { repoRoot } from "./support/spawn-process.ts";

const { version } = JSON.parse(readFileSync(join(repoRoot, "packages/server/package.json"), "utf8")) as {
  version: string;
};

describe("keygate --version", () => {
  it("prints the server package's version and exits 0, also as -V", async () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const flag of ["--version", "-V"]) {
      const result = await runCli([flag], {});
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
      expect(result.stderr).toBe("");
    }
  });

  it("lists the flag in the help", async () => {
    const result = await runCli(["--help"], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/-V, --version\s+print the keygate version/);
  });
});
