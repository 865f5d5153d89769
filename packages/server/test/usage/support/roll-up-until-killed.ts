/**
 * A process that rolls per-minute usage up in small batches, forever, and
 * prints each batch's row count: the retention test SIGKILLs it mid-run to
 * show that a crash inside a batch loses and doubles nothing.
 *   node --import tsx roll-up-until-killed.ts <database-url> <before-ms> <batch-rows>
 */
import { nodeHasher } from "../../../src/platform/node-platform.ts";
import { createKeyStore } from "../../../src/store/create-key-store.ts";

const [url, before, batch] = process.argv.slice(2);
if (url === undefined || before === undefined || batch === undefined) {
  process.stderr.write("usage: roll-up-until-killed.ts <database-url> <before-ms> <batch-rows>\n");
  process.exit(2);
}
const store = createKeyStore(url, { hasher: nodeHasher });
for (;;) {
  const moved = await store.rollUpUsageMinutes(Number(before), Number(batch));
  process.stdout.write(`${moved}\n`);
  if (moved === 0) break;
}
await store.close();
