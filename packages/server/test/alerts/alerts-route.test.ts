import type { EventType } from "@keygate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../admin/support/admin-harness.ts";
import { expectDeclared, expectProblem } from "../admin/support/declared.ts";

interface AlertPage {
  data: Array<{ id: string; type: string; at: string; data: Record<string, unknown> }>;
  next: string | null;
}

describe("GET /v1/alerts", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness();
    const types: EventType[] = [
      "key.created",
      "key.deprecated_in_use",
      "key.rotated",
      "auth.failure_spike",
      "key.sunset_approaching",
      "key.leaked",
      "rotation.completed",
      "key.rotation_due",
    ];
    const result = await h.store.commit({
      writes: [],
      audit: [],
      events: types.map((type, i) => ({
        id: `evt_0000000${i}abcdefghijklmn`,
        type,
        at: h.clock.now() + i,
        data: { n: i },
      })),
    });
    expect(result.ok).toBe(true);
  });
  afterAll(async () => {
    await h.close();
  });

  it("lists the alert-type events only, oldest first, and pages by id", async () => {
    const all = expectDeclared<AlertPage>(
      await h.call({ method: "GET", url: "/v1/alerts" }),
      "listAlerts",
      200,
    );
    expect(all.data.map((a) => a.type)).toEqual([
      "key.deprecated_in_use",
      "auth.failure_spike",
      "key.sunset_approaching",
      "key.leaked",
      "key.rotation_due",
    ]);
    expect(all.next).toBeNull();
    expect(all.data[0]).toEqual({
      id: "evt_00000001abcdefghijklmn",
      type: "key.deprecated_in_use",
      at: new Date(h.clock.now() + 1).toISOString(),
      data: { n: 1 },
    });
    const first = expectDeclared<AlertPage>(
      await h.call({ method: "GET", url: "/v1/alerts?limit=2" }),
      "listAlerts",
      200,
    );
    expect(first.data).toHaveLength(2);
    expect(first.next).toBe(first.data[1]?.id);
    const rest = expectDeclared<AlertPage>(
      await h.call({ method: "GET", url: `/v1/alerts?after=${first.next}` }),
      "listAlerts",
      200,
    );
    expect(rest.data.map((a) => a.type)).toEqual([
      "key.sunset_approaching",
      "key.leaked",
      "key.rotation_due",
    ]);
  });

  it("refuses a cursor that is no event id, and a limit out of range", async () => {
    const problem = expectProblem(
      await h.call({ method: "GET", url: "/v1/alerts?after=1&limit=0" }),
      400,
      "VALIDATION_FAILED",
    );
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(["/query/after", "/query/limit"]);
  });
});
