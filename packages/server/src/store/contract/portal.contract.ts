import type { MailInput, PortalSession, PortalToken } from "@keygate/core";
import { describe, expect, it } from "vitest";
import { consumer, T0, unit } from "./fixtures.ts";
import type { ContractContext } from "./key-store.contract.ts";

const MINUTE = 60_000;

function token(id: string, overrides: Partial<PortalToken> = {}): PortalToken {
  return {
    id,
    consumerId: "con_a",
    hash: `${id}-hash`.padEnd(64, "0"),
    purpose: "handoff",
    createdAt: T0,
    expiresAt: T0 + 15 * MINUTE,
    usedAt: null,
    ...overrides,
  };
}

function session(id: string, overrides: Partial<PortalSession> = {}): PortalSession {
  return {
    id,
    consumerId: "con_a",
    hash: `${id}-hash`.padEnd(64, "0"),
    csrfToken: `csrf-${id}`,
    createdAt: T0,
    expiresAt: T0 + 60 * MINUTE,
    endedAt: null,
    ...overrides,
  };
}

function mail(id: string, overrides: Partial<MailInput> = {}): MailInput {
  return {
    id,
    consumerId: "con_a",
    kind: "key_created",
    to: "a@example.com",
    subject: "A key was created",
    text: "text body",
    html: "<p>html body</p>",
    createdAt: T0,
    expiresAt: null,
    dedupeKey: null,
    ...overrides,
  };
}

export function portalContract(ctx: ContractContext): void {
  describe("portal", () => {
    async function seed() {
      const store = ctx.store();
      const result = await store.commit(
        unit([
          { type: "insertConsumer", consumer: consumer("con_a", { email: "a@example.com" }) },
          { type: "insertConsumer", consumer: consumer("con_b", { email: null }) },
        ]),
      );
      expect(result.ok).toBe(true);
      return store;
    }

    it("finds a consumer by its email, and refuses a second consumer with the same one", async () => {
      const store = await seed();
      expect((await store.findConsumerByEmail("a@example.com"))?.id).toBe("con_a");
      expect(await store.findConsumerByEmail("b@example.com")).toBeNull();
      const taken = await store.commit(
        unit([{ type: "insertConsumer", consumer: consumer("con_c", { email: "a@example.com" }) }]),
      );
      expect(taken.ok).toBe(false);
      // Several consumers without an address are fine.
      const none = await store.commit(
        unit([{ type: "insertConsumer", consumer: consumer("con_d", { email: null }) }]),
      );
      expect(none.ok).toBe(true);
    });

    it("spends a sign-in link once, and never after it expired", async () => {
      const store = await seed();
      await store.commit(unit([{ type: "insertPortalToken", token: token("ptk_1") }]));
      await store.commit(unit([{ type: "insertPortalToken", token: token("ptk_2") }]));
      expect(await store.findPortalToken(token("ptk_1").hash)).toEqual(token("ptk_1"));
      expect(await store.findPortalToken("f".repeat(64))).toBeNull();

      const first = await store.commit(
        unit([
          { type: "redeemPortalToken", id: "ptk_1", usedAt: T0 + MINUTE },
          { type: "insertPortalSession", session: session("pss_1") },
        ]),
      );
      expect(first.ok).toBe(true);
      expect((await store.findPortalToken(token("ptk_1").hash))?.usedAt).toBe(T0 + MINUTE);
      // The second spend conflicts, and its session is not written.
      const again = await store.commit(
        unit([
          { type: "redeemPortalToken", id: "ptk_1", usedAt: T0 + 2 * MINUTE },
          { type: "insertPortalSession", session: session("pss_2") },
        ]),
      );
      expect(again.ok).toBe(false);
      expect(await store.findPortalSession(session("pss_2").hash)).toBeNull();
      // Expired: at and after expiresAt.
      const late = await store.commit(
        unit([{ type: "redeemPortalToken", id: "ptk_2", usedAt: T0 + 15 * MINUTE }]),
      );
      expect(late.ok).toBe(false);
    });

    it("ends one session or all of a consumer's sessions, and leaves other consumers' alone", async () => {
      const store = await seed();
      await store.commit(
        unit([
          { type: "insertPortalSession", session: session("pss_1") },
          { type: "insertPortalSession", session: session("pss_2") },
          { type: "insertPortalSession", session: session("pss_3", { consumerId: "con_b" }) },
        ]),
      );
      await store.commit(
        unit([{ type: "endPortalSessions", consumerId: "con_a", sessionId: "pss_1", endedAt: T0 + 1 }]),
      );
      expect((await store.findPortalSession(session("pss_1").hash))?.endedAt).toBe(T0 + 1);
      expect((await store.findPortalSession(session("pss_2").hash))?.endedAt).toBeNull();
      await store.commit(unit([{ type: "endPortalSessions", consumerId: "con_a", endedAt: T0 + 2 }]));
      expect((await store.findPortalSession(session("pss_1").hash))?.endedAt).toBe(T0 + 1);
      expect((await store.findPortalSession(session("pss_2").hash))?.endedAt).toBe(T0 + 2);
      expect((await store.findPortalSession(session("pss_3").hash))?.endedAt).toBeNull();
    });

    it("queues mail once per dedupe key, leases claims, and records outcomes only from the claim's holder", async () => {
      const store = await seed();
      const first = await store.commit(
        unit([
          { type: "insertMail", mail: mail("mail_1", { dedupeKey: "quota:con_a:2025-01:80" }) },
          { type: "insertMail", mail: mail("mail_2") },
        ]),
      );
      expect(first.ok).toBe(true);
      // A second mail with the same dedupe key is skipped; the rest of its unit still commits.
      const second = await store.commit(
        unit([
          { type: "insertMail", mail: mail("mail_3", { dedupeKey: "quota:con_a:2025-01:80" }) },
          { type: "insertMail", mail: mail("mail_4") },
        ]),
      );
      expect(second.ok).toBe(true);
      expect((await store.listMail({ limit: 10 })).map((m) => m.id)).toEqual(["mail_1", "mail_2", "mail_4"]);

      const claimed = await store.claimMail(T0, 2, MINUTE);
      expect(claimed.map((m) => [m.id, m.attempts])).toEqual([
        ["mail_1", 1],
        ["mail_2", 1],
      ]);
      // Leased: another sender gets only what is left.
      expect((await store.claimMail(T0 + 1, 10, MINUTE)).map((m) => m.id)).toEqual(["mail_4"]);
      await store.recordMailOutcome({
        id: "mail_1",
        expectAttempts: 1,
        at: T0 + 2,
        status: "sent",
        nextAttemptAt: null,
        error: null,
      });
      await store.recordMailOutcome({
        id: "mail_2",
        expectAttempts: 1,
        at: T0 + 2,
        status: "retry",
        nextAttemptAt: T0 + 5 * MINUTE,
        error: "451 try again later",
      });
      // A stale holder (wrong attempts) changes nothing.
      await store.recordMailOutcome({
        id: "mail_4",
        expectAttempts: 7,
        at: T0 + 2,
        status: "failed",
        nextAttemptAt: null,
        error: "stale",
      });
      const rows = await store.listMail({ consumerId: "con_a", limit: 10 });
      expect(rows.map((m) => [m.id, m.status, m.lastError])).toEqual([
        ["mail_1", "sent", null],
        ["mail_2", "queued", "451 try again later"],
        ["mail_4", "queued", null],
      ]);
      expect(rows[0]?.sentAt).toBe(T0 + 2);
      // mail_4's lease ran out (its holder died): due again before mail_2's retry.
      expect((await store.claimMail(T0 + 5 * MINUTE - 1, 10, MINUTE)).map((m) => [m.id, m.attempts])).toEqual(
        [["mail_4", 2]],
      );
      expect((await store.claimMail(T0 + 5 * MINUTE, 10, MINUTE)).map((m) => [m.id, m.attempts])).toEqual([
        ["mail_2", 2],
      ]);
      expect(await store.listMail({ consumerId: "con_b", limit: 10 })).toEqual([]);
    });

    it("prunes finished mail, ended or expired sessions and expired links past the cut-off, in bounded batches", async () => {
      const store = await seed();
      const DAY = 86_400_000;
      await store.commit(
        unit([
          { type: "insertMail", mail: mail("mail_a_sent", { createdAt: T0 }) },
          { type: "insertMail", mail: mail("mail_b_queued", { createdAt: T0 }) },
          { type: "insertMail", mail: mail("mail_new", { createdAt: T0 + 40 * DAY }) },
          { type: "insertPortalSession", session: session("pss_ended", { endedAt: T0 + 1 }) },
          { type: "insertPortalSession", session: session("pss_live", { expiresAt: T0 + 60 * DAY }) },
          { type: "insertPortalToken", token: token("ptk_old") },
          { type: "insertPortalToken", token: token("ptk_live", { expiresAt: T0 + 60 * DAY }) },
        ]),
      );
      const [claimed] = await store.claimMail(T0, 1, MINUTE);
      expect(claimed?.id).toBe("mail_a_sent");
      await store.recordMailOutcome({
        id: "mail_a_sent",
        expectAttempts: 1,
        at: T0 + 1,
        status: "sent",
        nextAttemptAt: null,
        error: null,
      });
      const cutoff = T0 + 30 * DAY;
      expect(await store.prunePortalRecords(cutoff, 1000)).toBe(1);
      expect(await store.prunePortalRecords(cutoff, 1000)).toBe(0);
      expect((await store.listMail({ limit: 10 })).map((m) => m.id)).toEqual(["mail_b_queued", "mail_new"]);
      expect(await store.findPortalSession(session("pss_ended").hash)).toBeNull();
      expect(await store.findPortalSession(session("pss_live").hash)).not.toBeNull();
      expect(await store.findPortalToken(token("ptk_old").hash)).toBeNull();
      expect(await store.findPortalToken(token("ptk_live").hash)).not.toBeNull();
    });

    it("erases a sign-in mail's bodies once it was sent", async () => {
      const store = await seed();
      await store.commit(
        unit([{ type: "insertMail", mail: mail("mail_1", { kind: "sign_in", text: "link", html: "link" }) }]),
      );
      const [claimed] = await store.claimMail(T0, 1, MINUTE);
      expect(claimed?.text).toBe("link");
      await store.recordMailOutcome({
        id: "mail_1",
        expectAttempts: 1,
        at: T0 + 1,
        status: "sent",
        nextAttemptAt: null,
        error: null,
      });
      const [row] = await store.listMail({ limit: 1 });
      expect([row?.status, row?.text, row?.html]).toEqual(["sent", "", ""]);
    });
  });
}
