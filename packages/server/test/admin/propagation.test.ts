import type { Change } from "@keygate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PropagationStatus, PropagationTracker } from "../../src/cluster/propagation.ts";
import { createHarness, type Harness } from "./support/admin-harness.ts";
import { expectDeclared } from "./support/declared.ts";

/**
 * A cluster of two live nodes of which one never acknowledges: the stand-in
 * for a Redis-backed tracker with a stuck peer, which this package does not
 * have yet. It records how long the app asked it to wait.
 */
class OneNodeSilentTracker implements PropagationTracker {
  readonly waits: number[] = [];
  async status(changeId: string): Promise<PropagationStatus | null> {
    return { changeId, nodes: 2, acknowledged: 1 };
  }
  async waitFor(change: Change, timeoutMs: number) {
    this.waits.push(timeoutMs);
    return { status: { changeId: change.id, nodes: 2, acknowledged: 1 }, complete: false };
  }
}

describe("propagation reporting on mutating answers", () => {
  const tracker = new OneNodeSilentTracker();
  let h: Harness;
  let consumerId: string;

  beforeAll(async () => {
    h = await createHarness({ propagation: tracker });
    consumerId = expectDeclared<{ id: string }>(
      await h.call({ method: "POST", url: "/v1/consumers", body: { name: "Acme" } }),
      "createConsumer",
      201,
    ).id;
  });
  afterAll(async () => {
    await h.close();
  });

  it("reports the reach without waiting, with the usual status", async () => {
    const created = expectDeclared<{ propagation: { nodes: number; acknowledged: number } }>(
      await h.call({ method: "POST", url: `/v1/consumers/${consumerId}/keys`, body: { name: "a" } }),
      "createKey",
      201,
    );
    expect(created.propagation).toMatchObject({ nodes: 2, acknowledged: 1 });
    expect(tracker.waits).toEqual([]);
  });

  it("answers 202 when ?wait=true runs out before every node acknowledged, having waited at most 5 s", async () => {
    const created = expectDeclared<{
      key: { id: string };
      secret: string;
      propagation: { changeId: string };
    }>(
      await h.call({
        method: "POST",
        url: `/v1/consumers/${consumerId}/keys?wait=true`,
        body: { name: "b" },
      }),
      "createKey",
      202,
    );
    h.secrets.push(created.secret);
    expect(created.propagation.changeId).toMatch(/^chg_/);
    const rotated = expectDeclared<{ propagation: { nodes: number; acknowledged: number } }>(
      await h.call({
        method: "POST",
        url: `/v1/keys/${created.key.id}/rotate?wait=true`,
        body: { overlapSeconds: 0 },
      }),
      "rotateKey",
      202,
    );
    expect(rotated.propagation).toMatchObject({ nodes: 2, acknowledged: 1 });
    expectDeclared(
      await h.call({
        method: "PATCH",
        url: `/v1/consumers/${consumerId}?wait=true`,
        body: { disabled: true },
      }),
      "updateConsumer",
      202,
    );
    expect(tracker.waits).toEqual([5000, 5000, 5000]);
  });

  it("?wait=false is the default behaviour", async () => {
    expectDeclared(
      await h.call({
        method: "PUT",
        url: "/v1/plans/free?wait=false",
        body: { rateLimit: { limit: 1, windowSeconds: 60 } },
      }),
      "putPlan",
      200,
    );
  });
});

describe("propagation on a single node", () => {
  it("with ?wait=true answers the usual status once the local bus applied the change", async () => {
    const h = await createHarness();
    try {
      const consumer = expectDeclared<{ id: string }>(
        await h.call({ method: "POST", url: "/v1/consumers", body: { name: "Solo" } }),
        "createConsumer",
        201,
      );
      const created = expectDeclared<{ propagation: { nodes: number; acknowledged: number } }>(
        await h.call({
          method: "POST",
          url: `/v1/consumers/${consumer.id}/keys?wait=true`,
          body: { name: "k" },
        }),
        "createKey",
        201,
      );
      expect(created.propagation).toMatchObject({ nodes: 1, acknowledged: 1 });
    } finally {
      await h.close();
    }
  });
});
