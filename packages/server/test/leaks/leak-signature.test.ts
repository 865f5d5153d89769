import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness } from "../admin/support/admin-harness.ts";
import { expectProblem } from "../admin/support/declared.ts";
import {
  createLeakWorld,
  type LeakWorld,
  leakPayload,
  newSigner,
  signBody,
} from "./support/leak-fixtures.ts";

/**
 * A report that does not carry a valid signature by a configured key is a
 * 401 and changes nothing: no revocation, no audit entry, no event.
 */
describe("POST /v1/leaks refuses what GitHub did not sign", () => {
  let w: LeakWorld;
  let key: { id: string; secret: string };
  let body: string;

  const outboxLength = async () =>
    (await w.h.store.claimOutbox(Date.parse("2100-01-01T00:00:00Z"), 1000, 0)).length;

  beforeAll(async () => {
    w = await createLeakWorld({ action: "revoke", overlapSeconds: 300 });
    key = await w.issueKey();
    body = leakPayload([key.secret]);
  });
  afterAll(async () => {
    await w.close();
  });

  const forgeries = (): Array<[string, () => ReturnType<LeakWorld["report"]>]> => {
    const stranger = newSigner(w.github.identifier);
    const signature = signBody(w.github, body);
    return [
      ["a signature by another key under GitHub's identifier", () => w.report(body, { signer: stranger })],
      ["an identifier no configured key has", () => w.report(body, { signer: newSigner("unknown-id") })],
      [
        "a tampered body (signature of the original)",
        () =>
          w.report(body.replace("config-0", "config-1"), {
            headers: { "github-public-key-signature": signature },
          }),
      ],
      [
        "the signature of another body",
        () => w.report(body, { headers: { "github-public-key-signature": signBody(w.github, "[]") } }),
      ],
      [
        "no identifier header",
        () => w.report(body, { headers: { "github-public-key-identifier": undefined } }),
      ],
      [
        "no signature header",
        () => w.report(body, { headers: { "github-public-key-signature": undefined } }),
      ],
      [
        "no headers at all",
        () =>
          w.report(body, {
            headers: { "github-public-key-identifier": undefined, "github-public-key-signature": undefined },
          }),
      ],
      [
        "a signature that is not base64",
        () => w.report(body, { headers: { "github-public-key-signature": "%%%" } }),
      ],
      [
        "a signature that is not DER",
        () =>
          w.report(body, {
            headers: { "github-public-key-signature": Buffer.alloc(64, 7).toString("base64") },
          }),
      ],
      [
        "an oversized signature header",
        () => w.report(body, { headers: { "github-public-key-signature": "A".repeat(5000) } }),
      ],
      [
        "an admin token instead of a signature",
        () =>
          w.report(body, {
            headers: {
              "github-public-key-identifier": undefined,
              "github-public-key-signature": undefined,
              authorization: `Bearer ${w.h.rootToken}`,
            },
          }),
      ],
    ];
  };

  it("answers 401 UNAUTHENTICATED (problem+json, WWW-Authenticate) to every forgery and changes nothing", async () => {
    const auditBefore = await w.h.auditLength();
    const outboxBefore = await outboxLength();
    for (const [what, send] of forgeries()) {
      const res = await send();
      const problem = expectProblem(res, 401, "UNAUTHENTICATED");
      expect(problem.instance, what).toBe("/v1/leaks");
      expect(res.body, what).not.toContain(key.secret);
    }
    expect(await w.h.auditLength()).toBe(auditBefore);
    expect(await outboxLength()).toBe(outboxBefore);
    expect(await w.h.store.getKey(key.id)).toMatchObject({ status: "active", revokedAt: null });
    expect(await w.verify(key.secret)).toMatchObject({ valid: true, code: "VALID" });
  });

  it("checks the signature before the body: a forged, malformed report is 401, not 400", async () => {
    const res = await w.report("[{}]", {
      headers: { "github-public-key-signature": signBody(w.github, "[]") },
    });
    expectProblem(res, 401, "UNAUTHENTICATED");
  });

  it("accepts a report signed with any configured key, current or not, and then acts", async () => {
    const res = await w.report(body, { signer: w.retired });
    expect(res.statusCode, res.body).toBe(200);
    expect(await w.verify(key.secret)).toMatchObject({ code: "KEY_REVOKED" });
  });

  it("refuses every report on a node without KEYGATE_LEAK_PUBLIC_KEYS", async () => {
    const h = await createHarness();
    try {
      const before = await h.auditLength();
      const res = await h.app.inject({
        method: "POST",
        url: "/v1/leaks",
        headers: {
          "content-type": "application/json",
          "github-public-key-identifier": w.github.identifier,
          "github-public-key-signature": signBody(w.github, body),
        },
        payload: body,
      });
      const problem = expectProblem(res, 401, "UNAUTHENTICATED");
      expect(problem.detail).toContain("KEYGATE_LEAK_PUBLIC_KEYS");
      expect(await h.auditLength()).toBe(before);
    } finally {
      await h.close();
    }
  });
});
