import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const tsc = fileURLToPath(new URL("../../../node_modules/typescript/bin/tsc", import.meta.url));
let outDir: string;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "keygate-client-dist-"));
  await run(process.execPath, [tsc, "-p", join(packageDir, "tsconfig.build.json"), "--outDir", outDir]);
}, 60_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

/** Relative imports reachable from an emitted entry, following `from "./x.js"` specifiers. */
async function importGraph(entry: string): Promise<{ files: string[]; bare: string[] }> {
  const files = new Set<string>();
  const bare = new Set<string>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    const text = await readFile(join(outDir, file), "utf8");
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
      if (spec === undefined) continue;
      if (spec.startsWith("./")) queue.push(spec.slice(2));
      else bare.add(spec);
    }
  }
  return { files: [...files], bare: [...bare] };
}

describe("@keygate/client build", () => {
  it("emits ESM with .d.ts that plain Node can import", async () => {
    const script = `
      const main = await import(${JSON.stringify(join(outDir, "index.js"))});
      const node = await import(${JSON.stringify(join(outDir, "node.js"))});
      const store = main.memoryKeyStore("kg_test_${"a".repeat(32)}_${"b".repeat(6)}");
      const client = new main.KeygateClient({ baseUrl: "http://127.0.0.1:1", store });
      console.log(JSON.stringify({ main: Object.keys(main).sort(), file: typeof node.fileKeyStore, hint: (await client.keyInfo()).hint }));
    `;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);
    const result = JSON.parse(stdout) as { main: string[]; file: string; hint: string };
    expect(result.main).toContain("KeygateClient");
    expect(result.main).not.toContain("fileKeyStore");
    expect(result.file).toBe("function");
    expect(result.hint).toBe("kg_test_aaaa…bbbb");
    expect(await readFile(join(outDir, "index.d.ts"), "utf8")).toContain("KeygateClient");
  });

  it("keeps node:* and every other dependency out of the browser entry", async () => {
    const browser = await importGraph("index.js");
    expect(browser.bare).toEqual([]);
    expect(browser.files).toContain("keygate-client.js");
    expect(browser.files).not.toContain("file-key-store.js");
    const node = await importGraph("node.js");
    expect(node.bare.every((spec) => spec.startsWith("node:"))).toBe(true);
    expect(node.bare).toContain("node:fs/promises");
  });
});
