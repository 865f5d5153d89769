// Packs exports of the built dist/ files only: in the workspace each entry
// also names its TypeScript source under the `keygate-source` condition (set
// by tsc, vitest and the e2e processes), which a published package has no
// use for. Swapped in while `npm pack`/`npm publish` packs, restored after.
//   node scripts/pack-manifest.mjs dist     (prepack)
//   node scripts/pack-manifest.mjs restore  (postpack)
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

const manifest = new URL("../package.json", import.meta.url);
const backup = new URL("../package.json.workspace", import.meta.url);
const mode = process.argv[2];

if (mode === "dist") {
  if (!existsSync(backup)) copyFileSync(manifest, backup);
  const pkg = JSON.parse(readFileSync(backup, "utf8"));
  const entry = (name) => ({ types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` });
  pkg.exports = { ".": entry("index"), "./node": entry("node"), "./package.json": "./package.json" };
  delete pkg.scripts;
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (mode === "restore") {
  if (existsSync(backup)) renameSync(backup, manifest);
} else {
  console.error("usage: pack-manifest.mjs dist|restore");
  process.exit(2);
}
