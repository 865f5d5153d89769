/**
 * The in-repo `@keygate/client` as a plain Node program sees it: no tsx, no
 * TypeScript loader, no custom condition — a `.mjs` file inside the
 * repository imports the package by name and gets the built `dist/` files,
 * and TypeScript resolves their `.d.ts` the same way.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
let dir: string;

/** Newest modification time of the package's sources. */
async function newestSource(): Promise<number> {
  const src = join(packageDir, "src");
  const times = await Promise.all(
    (await readdir(src))
      .filter((f) => f.endsWith(".ts"))
      .map(async (f) => (await stat(join(src, f))).mtimeMs),
  );
  return Math.max(...times);
}

async function builtAt(file: string): Promise<number> {
  return stat(join(packageDir, "dist", file)).then(
    (s) => s.mtimeMs,
    () => 0,
  );
}

beforeAll(async () => {
  // `npm ci` builds dist/ (root `prepare`); rebuild only when the sources changed since.
  const built = Math.min(await builtAt("index.js"), await builtAt("node.js"));
  if (built < (await newestSource())) {
    await run(process.execPath, [tsc, "-p", join(packageDir, "tsconfig.build.json")], { cwd: packageDir });
  }
  // Inside the repository, so that Node resolves `@keygate/client` through its node_modules.
  dir = await mkdtemp(join(packageDir, "test", ".plain-node-"));
}, 60_000);

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("@keygate/client from plain Node", () => {
  it("imports both entries by package name and calls them", async () => {
    const file = join(dir, "import.mjs");
    await writeFile(
      file,
      [
        'import { KeygateClient, keyHint, memoryKeyStore } from "@keygate/client";',
        'import { fileKeyStore } from "@keygate/client/node";',
        `const secret = "kg_test_${"a".repeat(32)}_${"b".repeat(6)}";`,
        'const client = new KeygateClient({ baseUrl: "http://127.0.0.1:1", store: memoryKeyStore(secret) });',
        "const info = await client.keyInfo();",
        "console.log(JSON.stringify({",
        '  resolved: import.meta.resolve("@keygate/client"),',
        "  hint: keyHint(secret),",
        "  clientHint: info.hint,",
        "  fileStore: typeof fileKeyStore,",
        "}));",
        "",
      ].join("\n"),
    );
    // No --import tsx and no --conditions: exactly what `node import.mjs` does.
    const { stdout } = await run(process.execPath, [file], { cwd: dir, timeout: 20_000 });
    const result = JSON.parse(stdout) as {
      resolved: string;
      hint: string;
      clientHint: string;
      fileStore: string;
    };
    expect(result.resolved).toBe(new URL("../dist/index.js", import.meta.url).href);
    expect(result.hint).toBe("kg_test_aaaa…bbbb");
    expect(result.clientHint).toBe(result.hint);
    expect(result.fileStore).toBe("function");
  });

  it("gives a TypeScript consumer the built .d.ts, and they type-check its calls", async () => {
    const file = join(dir, "consumer.mts");
    await writeFile(
      file,
      [
        'import { KeygateClient, type KeyInfo, memoryKeyStore } from "@keygate/client";',
        'import { fileKeyStore } from "@keygate/client/node";',
        'const client = new KeygateClient({ baseUrl: "http://127.0.0.1:1", store: memoryKeyStore("x") });',
        "const info: Promise<KeyInfo> = client.keyInfo();",
        'const store = fileKeyStore("./key");',
        "// @ts-expect-error baseUrl must be a string: the types are real, not any",
        "new KeygateClient({ baseUrl: 1, store });",
        "export { info };",
        "",
      ].join("\n"),
    );
    // --ignoreConfig: the consumer's own compiler settings, not the workspace's (no keygate-source condition).
    const args = [
      tsc,
      "--ignoreConfig",
      "--noEmit",
      "--strict",
      "--module",
      "nodenext",
      "--moduleResolution",
    ];
    args.push("nodenext", "--types", "node");
    const { stdout } = await run(process.execPath, [...args, "--traceResolution", file], {
      cwd: dir,
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(stdout).toMatch(
      /'@keygate\/client' was successfully resolved to '[^']*\/client\/dist\/index\.d\.ts'/,
    );
    expect(stdout).toMatch(
      /'@keygate\/client\/node' was successfully resolved to '[^']*\/client\/dist\/node\.d\.ts'/,
    );
  });
});
