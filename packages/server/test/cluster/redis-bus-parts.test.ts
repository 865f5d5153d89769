import type { Change } from "@keygate/core";
import { describe, expect, it } from "vitest";
import { decodeChange, encodeChange } from "../../src/cluster/redis/change-codec.ts";
import { propagationState } from "../../src/cluster/redis/propagation-state.ts";
import { PublishQueue } from "../../src/cluster/redis/publish-queue.ts";
import { resolveBusOptions } from "../../src/cluster/redis/redis-change-bus-options.ts";
import { RECENT_WINDOW_MS, resumePoint, type StreamProbe } from "../../src/cluster/redis/resume-point.ts";
import { compareStreamIds } from "../../src/cluster/redis/stream-id.ts";

const change = (id: string, extra: Partial<Change> = {}): Change => ({
  id,
  at: 1,
  keyIds: [`key_${id}`],
  consumerIds: [],
  hashes: [],
  all: false,
  ...extra,
});

describe("propagationState", () => {
  it("is complete when every expected live node acknowledged", () => {
    expect(propagationState("c", ["a", "b"], ["a", "b"], ["a", "b"])).toEqual({
      status: { changeId: "c", nodes: 2, acknowledged: 2 },
      complete: true,
    });
  });
  it("waits for an expected node that is live and silent", () => {
    expect(propagationState("c", ["a", "b", "x"], ["a", "b"], ["a", "b", "x"])).toEqual({
      status: { changeId: "c", nodes: 3, acknowledged: 2 },
      complete: false,
    });
  });
  it("stops expecting a node that died without acknowledging", () => {
    expect(propagationState("c", ["a", "b", "x"], ["a", "b"], ["a", "b"])).toEqual({
      status: { changeId: "c", nodes: 2, acknowledged: 2 },
      complete: true,
    });
  });
  it("keeps the acknowledgement of an expected node that applied the change and then left", () => {
    expect(propagationState("c", ["a", "x"], ["a", "x"], ["a"]).status).toEqual({
      changeId: "c",
      nodes: 2,
      acknowledged: 2,
    });
  });
  it("counts a live newcomer's ack but never a stranger's", () => {
    expect(propagationState("c", ["a"], ["a", "new", "ghost"], ["a", "new"]).status).toEqual({
      changeId: "c",
      nodes: 2,
      acknowledged: 2,
    });
  });
});

describe("resumePoint", () => {
  const probe = (p: Partial<StreamProbe>): StreamProbe => ({
    exists: true,
    lastIdPresent: true,
    length: 10,
    entriesAdded: 10,
    serverMs: 1_000_000,
    ...p,
  });
  const recent = `${1_000_000 - RECENT_WINDOW_MS}-0`;

  it("continues after the last entry while it is still in the stream", () => {
    expect(resumePoint("500-3", probe({}))).toEqual({ from: "500-3", gap: false });
  });
  it("reports a gap and skips to recent entries when the last entry was trimmed", () => {
    expect(resumePoint("500-3", probe({ lastIdPresent: false }))).toEqual({ from: recent, gap: true });
    expect(resumePoint("995000-1", probe({ lastIdPresent: false }))).toEqual({ from: "995000-1", gap: true });
  });
  it("reads a recreated (missing) stream from its start", () => {
    expect(resumePoint("500-3", probe({ exists: false }))).toEqual({ from: "0-0", gap: true });
    expect(resumePoint("0-0", probe({ exists: false }))).toEqual({ from: "0-0", gap: false });
  });
  it("for a reader that never read, trimming is a gap and mere growth is not", () => {
    expect(resumePoint("0-0", probe({ lastIdPresent: false, entriesAdded: 10 }))).toEqual({
      from: "0-0",
      gap: false,
    });
    expect(resumePoint("0-0", probe({ lastIdPresent: false, entriesAdded: 12 }))).toEqual({
      from: recent,
      gap: true,
    });
  });
});

describe("stream ids", () => {
  it("compare numerically, not as text", () => {
    expect(compareStreamIds("9-0", "10-0")).toBe(-1);
    expect(compareStreamIds("10-2", "10-10")).toBe(-1);
    expect(compareStreamIds("18446744073709551615-0", "18446744073709551614-9")).toBe(1);
    expect(compareStreamIds("5-5", "5-5")).toBe(0);
  });
});

describe("PublishQueue", () => {
  it("keeps order and, when full, folds the oldest change into a drop-everything change", () => {
    const queue = new PublishQueue(3);
    for (const id of ["c1", "c2", "c3", "c4"]) queue.push(change(id));
    expect(queue.size).toBe(3);
    expect(queue.merged).toBe(1);
    expect(queue.peek()).toMatchObject({ id: "c2", all: true });
    queue.shift();
    expect(queue.peek()).toMatchObject({ id: "c3", all: false });
    expect(queue.has("c4")).toBe(true);
    expect(queue.has("c1")).toBe(false);
  });
});

describe("change codec", () => {
  it("round-trips a change", () => {
    const original = change("chg_1", { consumerIds: ["con_1"], hashes: ["h"], all: false });
    expect(decodeChange(["change", encodeChange(original)], "1-0")).toEqual({
      change: original,
      valid: true,
    });
  });
  it("round-trips a revocation fence, its lift and its release, and leaves the field out of other changes", () => {
    for (const fence of ["revoke", "lift", "release"] as const) {
      const original = change("chg_1.fence", { keyIds: ["key_1"], fence });
      expect(decodeChange(["change", encodeChange(original)], "1-0")).toEqual({
        change: original,
        valid: true,
      });
    }
    expect(encodeChange(change("chg_2", { keyIds: ["key_1"] }))).not.toContain("fence");
  });
  it("reads an unknown fence kind as drop-everything: a node must never skip a revocation it cannot read", () => {
    const encoded = encodeChange(change("chg_3", { keyIds: ["key_1"] })).replace("}", ',"fence":"pause"}');
    expect(decodeChange(["change", encoded], "9-0")).toMatchObject({ change: { all: true }, valid: false });
  });
  it("reads anything else as drop-everything", () => {
    expect(decodeChange(["change", '{"id":"chg_x","keyIds":"nope"}'], "7-0")).toEqual({
      change: { id: "chg_x", at: 7, keyIds: [], consumerIds: [], hashes: [], all: true },
      valid: false,
    });
    expect(decodeChange(["other", "1"], "8-0").change).toMatchObject({ id: "stream:8-0", all: true });
  });
});

describe("RedisChangeBus options", () => {
  it("reports every bad option at once", () => {
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    expect(() =>
      resolveBusOptions({
        redisUrl: "http://x",
        nodeId: "has space",
        role: "all",
        clock: { now: () => 0 },
        logger,
        heartbeatMs: 1000,
        liveAfterMs: 500,
      }),
    ).toThrow(/redisUrl.*nodeId.*liveAfterMs/);
  });
});
