import { generateKeySecret } from "@keygate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoRandom } from "../../src/platform/node-platform.ts";
import { json } from "../admin/support/admin-harness.ts";
import { expectProblem } from "../admin/support/declared.ts";
import { createLeakWorld, type LeakWorld, leakPayload } from "./support/leak-fixtures.ts";

interface Verdict {
  token_raw: string;
  token_type: string;
  label: string;
}

/** The leak path in revoke mode (the default), against SQLite and the real verifier. */
describe("POST /v1/leaks (revoke)", () => {
  let w: LeakWorld;

  beforeAll(async () => {
    w = await createLeakWorld({ action: "revoke", overlapSeconds: 300 });
  });
  afterAll(async () => {
    await w.close();
  });

  // Claimed with no lease far in the future: every undelivered event, again on every call.
  const outbox = () => w.h.store.claimOutbox(Date.parse("2100-01-01T00:00:00Z"), 1000, 0);
  const audit = async () => (await w.h.store.listAudit({ limit: 1000 })).map((e) => e);

  it("revokes a reported key within the request: the very next verification says KEY_REVOKED", async () => {
    const key = await w.issueKey();
    expect(await w.verify(key.secret)).toMatchObject({ valid: true, code: "VALID" });

    const res = await w.report(leakPayload([key.secret]));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(json<Verdict[]>(res)).toEqual([
      { token_raw: key.secret, token_type: "keygate_api_key", label: "true_positive" },
    ]);

    expect(await w.verify(key.secret)).toMatchObject({ valid: false, code: "KEY_REVOKED" });
    const stored = await w.h.store.getKey(key.id);
    expect(stored).toMatchObject({ status: "revoked", revokedReason: "leaked" });

    const entries = (await audit()).filter((e) => e.targetId === key.id && e.seq > 0);
    const leaked = entries.find((e) => e.action === "key.leaked");
    const revoke = entries.find((e) => e.action === "key.revoke");
    expect(leaked?.actor).toEqual({ type: "system", id: "github-secret-scanning" });
    expect(revoke?.actor).toEqual({ type: "system", id: "github-secret-scanning" });
    expect(revoke?.data.reason).toBe("leaked");
    // The report and the revocation commit together, one after the other in the chain.
    expect(revoke && leaked && revoke.seq - leaked.seq).toBe(1);

    const events = (await outbox()).filter((e) => e.data.keyId === key.id);
    expect(events.map((e) => e.type).sort()).toEqual(["key.created", "key.leaked", "key.revoked"]);
    const event = events.find((e) => e.type === "key.leaked");
    expect(event?.data).toMatchObject({
      keyId: key.id,
      consumerId: key.consumerId,
      hint: `${key.secret.slice(0, 12)}…${key.secret.slice(-4)}`,
      action: "revoke",
      reporter: "github-secret-scanning",
      tokenType: "keygate_api_key",
      source: "content",
      url: "https://github.com/octocat/hello-world/blob/0123456789abcdef/config-0.env",
    });
  });

  it("labels every match in the order reported; unknown, malformed and foreign tokens are false positives", async () => {
    const a = await w.issueKey();
    const b = await w.issueKey("test");
    const unknown = generateKeySecret(cryptoRandom, "live");
    const checksumTypo = `${a.secret.slice(0, -1)}${a.secret.endsWith("A") ? "B" : "A"}`;
    const tokens = [
      unknown,
      a.secret,
      "ghp_notOurs0000000000000000000000000000",
      checksumTypo,
      b.secret,
      a.secret,
    ];
    const before = await w.h.auditLength();

    const res = await w.report(leakPayload(tokens));
    expect(res.statusCode, res.body).toBe(200);
    expect(json<Verdict[]>(res).map((v) => [v.token_raw, v.label])).toEqual([
      [unknown, "false_positive"],
      [a.secret, "true_positive"],
      ["ghp_notOurs0000000000000000000000000000", "false_positive"],
      [checksumTypo, "false_positive"],
      [b.secret, "true_positive"],
      [a.secret, "true_positive"],
    ]);
    // Two distinct keys: two leak entries and two revocations, however often a token is listed.
    const added = (await audit()).filter((e) => e.seq > before);
    expect(added.map((e) => e.action)).toEqual(["key.leaked", "key.revoke", "key.leaked", "key.revoke"]);
    // Both places the duplicate token was seen are recorded on its one event.
    const leakedA = added.find((e) => e.action === "key.leaked" && e.targetId === a.id);
    expect(leakedA?.data.locations).toEqual([
      { source: "content", url: "https://github.com/octocat/hello-world/blob/0123456789abcdef/config-1.env" },
      { source: "content", url: "https://github.com/octocat/hello-world/blob/0123456789abcdef/config-5.env" },
    ]);
    expect(await w.verify(a.secret)).toMatchObject({ code: "KEY_REVOKED" });
    expect(await w.verify(b.secret)).toMatchObject({ code: "KEY_REVOKED" });
  });

  it("answers true_positive for a key that is already revoked or expired, and changes nothing", async () => {
    const revoked = await w.issueKey();
    await w.h.call({ method: "POST", url: `/v1/keys/${revoked.id}/revoke`, body: { reason: "manual" } });
    const rotated = await w.issueKey();
    const successor = json<{ key: { id: string }; secret: string }>(
      await w.h.call({ method: "POST", url: `/v1/keys/${rotated.id}/rotate`, body: { overlapSeconds: 0 } }),
    );
    w.h.secrets.push(successor.secret);
    const auditBefore = await w.h.auditLength();
    const outboxBefore = (await outbox()).length;

    const res = await w.report(leakPayload([revoked.secret]));
    expect(res.statusCode, res.body).toBe(200);
    expect(json<Verdict[]>(res).map((v) => v.label)).toEqual(["true_positive"]);
    expect(await w.h.auditLength()).toBe(auditBefore);
    expect((await outbox()).length).toBe(outboxBefore);

    // An expired key's successors are contained all the same (its holder may have made them): the
    // expired key itself is left as it is, its successor is revoked (security review 1).
    const again = await w.report(leakPayload([rotated.secret]));
    expect(json<Verdict[]>(again).map((v) => v.label)).toEqual(["true_positive"]);
    expect(await w.h.store.getKey(rotated.id)).toMatchObject({ status: "expired" });
    expect(await w.verify(successor.secret)).toMatchObject({ valid: false, code: "KEY_REVOKED" });
    expect(await w.h.store.getKey(revoked.id)).toMatchObject({ status: "revoked", revokedReason: "manual" });
  });

  it("handles the same report sent twice once", async () => {
    const key = await w.issueKey();
    const body = leakPayload([key.secret]);
    expect((await w.report(body)).statusCode).toBe(200);
    const after = await w.h.auditLength();
    const again = await w.report(body);
    expect(json<Verdict[]>(again)[0]?.label).toBe("true_positive");
    expect(await w.h.auditLength()).toBe(after);
  });

  it("verifies the bytes as sent: a pretty-printed body with non-ASCII text and extra fields is accepted", async () => {
    const key = await w.issueKey();
    const body = `[\n  {\n    "type" : "keygate_api_key",\n    "token" : "${key.secret}",\n    "url" : "https://github.com/octocat/h\u00e9llo/blob/main/\u{1F511}.txt",\n    "source" : "commit",\n    "future_field": {"x": 1}\n  }\n]\n`;
    const res = await w.report(body);
    expect(res.statusCode, res.body).toBe(200);
    expect(json<Verdict[]>(res)[0]?.label).toBe("true_positive");
    const leaked = (await audit()).find((e) => e.action === "key.leaked" && e.targetId === key.id);
    expect(leaked?.data.url).toBe("https://github.com/octocat/h\u00e9llo/blob/main/\u{1F511}.txt");
    expect(leaked?.data.source).toBe("commit");
  });

  it("never stores a key found in the report's own text: url and source are redacted", async () => {
    const key = await w.issueKey();
    const body = JSON.stringify([
      {
        token: key.secret,
        type: "keygate_api_key",
        url: `https://example.com/?k=${key.secret}`,
        source: `x${key.secret}\u0000`,
      },
    ]);
    expect((await w.report(body)).statusCode).toBe(200);
    const leaked = (await audit()).find((e) => e.action === "key.leaked" && e.targetId === key.id);
    expect(leaked?.data.url).toBe("https://example.com/?k=kg_…");
    expect(leaked?.data.source).toBe("xkg_…\uFFFD");
  });

  it("refuses badly shaped reports with 400 and changes nothing, even when they are signed", async () => {
    const key = await w.issueKey();
    const before = await w.h.auditLength();
    const tooMany = JSON.stringify(Array.from({ length: 1001 }, (_, i) => ({ token: `t${i}`, type: "t" })));
    for (const body of [
      tooMany,
      "[]",
      "{}",
      JSON.stringify([{ token: key.secret }]),
      JSON.stringify([{ token: 42, type: "t" }]),
      "[{",
    ]) {
      expectProblem(await w.report(body), 400, "VALIDATION_FAILED");
    }
    expect(await w.h.auditLength()).toBe(before);
    expect(await w.verify(key.secret)).toMatchObject({ valid: true });
  });

  it("keeps the JSON body limit: a larger report is 413", async () => {
    const body = JSON.stringify([{ token: "x", type: "t", url: "u".repeat(70 * 1024) }]);
    expectProblem(await w.report(body), 413, "PAYLOAD_TOO_LARGE");
  });

  it("never lets a reported token reach the audit log, the outbox or a log line", async () => {
    const entries = await audit();
    const events = await outbox();
    expect(events.some((e) => e.type === "key.leaked")).toBe(true);
    const stored = JSON.stringify({ entries, events });
    expect(w.lines.length).toBeGreaterThan(0);
    const logged = w.lines.join("\n");
    for (const secret of w.h.secrets) {
      expect(stored).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }
  });
});
