import { availableParallelism } from "node:os";
import { KeygateError } from "@keygate/core";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load-config.ts";

const base = { KEYGATE_UPSTREAM: "http://127.0.0.1:9", KEYGATE_DATABASE_URL: "sqlite:./data/test.db" };

function problems(env: Record<string, string>, role: Parameters<typeof loadConfig>[1] = "all"): string {
  try {
    loadConfig({ ...base, ...env }, role);
  } catch (error) {
    if (error instanceof KeygateError) return error.detail;
    throw error;
  }
  return "";
}

describe("KEYGATE_WORKERS", () => {
  it("defaults to one process; takes a count or auto (one per core)", () => {
    expect(loadConfig(base).workers).toBe(1);
    expect(loadConfig({ ...base, KEYGATE_WORKERS: "4" }).workers).toBe(4);
    expect(loadConfig({ ...base, KEYGATE_WORKERS: "auto" }).workers).toBe(availableParallelism());
  });

  it("refuses what is not a count", () => {
    for (const value of ["0", "-1", "two", "1.5", "1000"])
      expect(problems({ KEYGATE_WORKERS: value })).toContain("KEYGATE_WORKERS");
  });

  it("refuses workers for roles with no port to share, and for a store private to one process", () => {
    expect(problems({ KEYGATE_WORKERS: "2" }, "admin")).toContain("role admin has no port to share");
    expect(problems({ KEYGATE_WORKERS: "2" }, "portal")).toContain("role portal has no port to share");
    expect(problems({ KEYGATE_WORKERS: "2", KEYGATE_DATABASE_URL: "memory:" })).toContain(
      "workers need a store they all open",
    );
    expect(problems({ KEYGATE_WORKERS: "2", KEYGATE_DATABASE_URL: "sqlite::memory:" })).toContain(
      "workers need a store they all open",
    );
    expect(problems({ KEYGATE_WORKERS: "2" }, "authz")).toBe("");
    expect(problems({ KEYGATE_WORKERS: "1" }, "admin")).toBe("");
  });
});
