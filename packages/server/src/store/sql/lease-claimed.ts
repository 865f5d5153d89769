import type { Kysely } from "kysely";
import type { KeygateDatabase } from "./schema.ts";

/**
 * Moves the next attempt of rows just claimed (outbox events, webhook
 * deliveries) to the end of the lease, so no other node claims them while
 * this one works on them; the work clears or reschedules them.
 */
export async function leaseClaimed(
  trx: Kysely<KeygateDatabase>,
  table: "outbox" | "webhook_deliveries",
  ids: readonly string[],
  until: number,
): Promise<void> {
  await trx
    .updateTable(table)
    .set({ next_attempt_at: until })
    .where("id", "in", [...ids])
    .execute();
}
