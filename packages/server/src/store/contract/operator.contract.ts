import type { KeyStore, OperatorSession, UnitOfWork } from "@keygate/core";
import { describe, expect, it } from "vitest";
import { adminToken, T0, unit } from "./fixtures.ts";
import type { ContractContext } from "./key-store.contract.ts";

async function commitOk(store: KeyStore, u: UnitOfWork): Promise<void> {
  const result = await store.commit(u);
  if (!result.ok) throw new Error(`expected commit to succeed: ${result.conflict}`);
}

function session(id: string, overrides: Partial<OperatorSession> = {}): OperatorSession {
  return {
    id,
    hash: `${id.replace(/[^0-9a-f]/g, "a")}`.padEnd(64, "c"),
    subject: `sub-${id}`,
    email: `${id}@example.com`,
    role: "operator",
    csrfToken: `csrf-${id}`,
    createdAt: T0,
    expiresAt: T0 + 3_600_000,
    endedAt: null,
    ...overrides,
  };
}

/** Admin tokens with roles (issue, list, revoke, last use) and dashboard sessions. */
export function operatorContract(ctx: ContractContext): void {
  describe("operator access", () => {
    it("keeps every field of a token and lists tokens by id, paged", async () => {
      const store = ctx.store();
      const tokens = [
        adminToken("adm_3", { role: "verifier", expiresAt: T0 + 5000, createdBy: "admin:ci" }),
        adminToken("adm_1", { role: "admin", createdBy: "system:bootstrap" }),
        adminToken("adm_2", { role: "viewer" }),
      ];
      await commitOk(store, unit(tokens.map((token) => ({ type: "insertAdminToken" as const, token }))));
      expect(await store.getAdminToken("adm_3")).toEqual(tokens[0]);
      expect(await store.getAdminToken("adm_9")).toBeNull();
      expect((await store.listAdminTokens({ limit: 10 })).map((t) => t.id)).toEqual([
        "adm_1",
        "adm_2",
        "adm_3",
      ]);
      expect((await store.listAdminTokens({ limit: 1, after: "adm_1" })).map((t) => t.id)).toEqual(["adm_2"]);
    });

    it("revokes a live token once; a second revocation or an unknown id conflicts and changes nothing", async () => {
      const store = ctx.store();
      await commitOk(store, unit([{ type: "insertAdminToken", token: adminToken("adm_1") }]));
      await commitOk(store, unit([{ type: "revokeAdminToken", id: "adm_1", revokedAt: T0 + 10 }]));
      expect((await store.getAdminToken("adm_1"))?.revokedAt).toBe(T0 + 10);
      const again = await store.commit(unit([{ type: "revokeAdminToken", id: "adm_1", revokedAt: T0 + 20 }]));
      expect(again.ok).toBe(false);
      expect((await store.getAdminToken("adm_1"))?.revokedAt).toBe(T0 + 10);
      expect((await store.commit(unit([{ type: "revokeAdminToken", id: "adm_x", revokedAt: T0 }]))).ok).toBe(
        false,
      );
    });

    it("records last use only forward, from batches in any order", async () => {
      const store = ctx.store();
      await commitOk(store, unit([{ type: "insertAdminToken", token: adminToken("adm_1") }]));
      await store.recordAdminTokenUsage([
        { id: "adm_1", lastUsedAt: T0 + 50 },
        { id: "adm_1", lastUsedAt: T0 + 30 },
        { id: "adm_unknown", lastUsedAt: T0 },
      ]);
      expect((await store.getAdminToken("adm_1"))?.lastUsedAt).toBe(T0 + 50);
      await store.recordAdminTokenUsage([{ id: "adm_1", lastUsedAt: T0 + 40 }]);
      expect((await store.getAdminToken("adm_1"))?.lastUsedAt).toBe(T0 + 50);
      await store.recordAdminTokenUsage([]);
    });

    it("stores a session by hash, refuses a duplicate hash, and ends it once", async () => {
      const store = ctx.store();
      const s = session("ops_1");
      await commitOk(store, unit([{ type: "insertOperatorSession", session: s }]));
      expect(await store.findOperatorSession(s.hash)).toEqual(s);
      expect(await store.findOperatorSession("f".repeat(64))).toBeNull();
      const dup = await store.commit(
        unit([{ type: "insertOperatorSession", session: { ...s, id: "ops_2" } }]),
      );
      expect(dup.ok).toBe(false);
      await commitOk(store, unit([{ type: "endOperatorSession", id: s.id, endedAt: T0 + 5 }]));
      await commitOk(store, unit([{ type: "endOperatorSession", id: s.id, endedAt: T0 + 9 }]));
      expect((await store.findOperatorSession(s.hash))?.endedAt).toBe(T0 + 5);
    });

    it("prunes sessions that ended or expired before the cut-off, in bounded batches, never a live one", async () => {
      const store = ctx.store();
      const DAY = 86_400_000;
      const ended = session("ops_ended", { endedAt: T0 + 10 });
      const expired = session("ops_expired", { hash: "e".repeat(64), expiresAt: T0 + 20 });
      const live = session("ops_live", { hash: "d".repeat(64), expiresAt: T0 + 40 * DAY });
      const recent = session("ops_recent", {
        hash: "b".repeat(64),
        endedAt: T0 + 31 * DAY,
        expiresAt: T0 + 40 * DAY,
      });
      await commitOk(
        store,
        unit(
          [ended, expired, live, recent].map((s) => ({ type: "insertOperatorSession" as const, session: s })),
        ),
      );
      const cutoff = T0 + 30 * DAY;
      expect(await store.pruneOperatorSessions(cutoff, 1)).toBe(1);
      expect(await store.pruneOperatorSessions(cutoff, 1000)).toBe(1);
      expect(await store.pruneOperatorSessions(cutoff, 1000)).toBe(0);
      expect(await store.findOperatorSession(ended.hash)).toBeNull();
      expect(await store.findOperatorSession(expired.hash)).toBeNull();
      expect(await store.findOperatorSession(live.hash)).toEqual(live);
      expect(await store.findOperatorSession(recent.hash)).toEqual(recent);
    });
  });
}
