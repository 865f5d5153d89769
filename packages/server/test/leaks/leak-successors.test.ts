import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json } from "../admin/support/admin-harness.ts";
import { createLeakWorld, type LeakWorld, leakPayload } from "./support/leak-fixtures.ts";

interface Rotated {
  key: { id: string; version: number };
  secret: string;
}

/**
 * Security review finding 1: the holder of a leaked key self-rotates to a new
 * key before the report arrives. Containment must reach every key the leaked
 * one produced (same lineage, higher version), not just the reported one.
 */
for (const action of ["revoke", "rotate"] as const) {
  describe(`POST /v1/leaks contains the successors of a leaked key (${action})`, () => {
    let w: LeakWorld;
    beforeAll(async () => {
      w = await createLeakWorld({ action, overlapSeconds: 0 });
    });
    afterAll(async () => {
      await w.close();
    });

    const selfRotate = async (secret: string): Promise<Rotated> => {
      const res = await w.h.call({
        method: "POST",
        url: "/v1/self/rotate",
        token: null,
        headers: { "x-api-key": secret },
      });
      expect(res.statusCode, res.body).toBe(201);
      const body = json<Rotated>(res);
      w.h.secrets.push(body.secret);
      return body;
    };

    it("a leaked key's holder who self-rotated twice keeps nothing once the first key is reported", async () => {
      const leaked = await w.issueKey();
      const second = await selfRotate(leaked.secret);
      const third = await selfRotate(second.secret);
      expect(await w.verify(third.secret)).toMatchObject({ valid: true });

      const res = await w.report(leakPayload([leaked.secret]));
      expect(res.statusCode, res.body).toBe(200);

      for (const secret of [leaked.secret, second.secret, third.secret]) {
        expect((await w.verify(secret)).valid, `version ${secret === leaked.secret ? 1 : "successor"}`).toBe(
          false,
        );
      }
      // Nothing the holder has left can rotate on.
      const again = await w.h.call({
        method: "POST",
        url: "/v1/self/rotate",
        token: null,
        headers: { "x-api-key": third.secret },
      });
      expect(again.statusCode).toBeGreaterThanOrEqual(400);
      const leakedEntries = (await w.h.store.listAudit({ limit: 1000 })).filter(
        (e) => e.action === "key.leaked",
      );
      const successorEntry = leakedEntries.find((e) => e.targetId === third.key.id);
      expect(successorEntry?.data).toMatchObject({ leakedKeyId: leaked.id, reason: "successor_of_leaked" });
    });

    it("leaves older versions and other lineages alone", async () => {
      const older = await w.issueKey();
      const rotated = await selfRotate(older.secret);
      const other = await w.issueKey();
      // Report the newer key: its predecessor (still in its overlap) is not its descendant.
      expect((await w.report(leakPayload([rotated.secret]))).statusCode).toBe(200);
      expect((await w.verify(rotated.secret)).valid).toBe(false);
      expect((await w.verify(older.secret)).valid).toBe(true);
      expect((await w.verify(other.secret)).valid).toBe(true);
    });
  });
}
