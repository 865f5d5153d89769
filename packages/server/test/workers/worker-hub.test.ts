import type { Change, Clock } from "@keygate/core";
import { describe, expect, it } from "vitest";
import { RpcEndpoint } from "../../src/workers/rpc-endpoint.ts";
import { WorkerChangeBus } from "../../src/workers/worker-change-bus.ts";
import { WorkerHub } from "../../src/workers/worker-hub.ts";
import type { IpcChannel, WorkerMessage } from "../../src/workers/worker-messages.ts";
import type { PrimaryMethods, WorkerMethods } from "../../src/workers/worker-methods.ts";

/**
 * Two ends of an IPC channel in one process. Messages are delivered on a
 * later tick, as over a real pipe, and JSON round-tripped, as node:cluster does.
 */
function channelPair(): { primary: IpcChannel; worker: IpcChannel; cut(): void } {
  const handlers = {
    primary: new Set<(m: WorkerMessage) => void>(),
    worker: new Set<(m: WorkerMessage) => void>(),
  };
  let open = true;
  const end = (to: "primary" | "worker", from: "primary" | "worker"): IpcChannel => ({
    async send(message) {
      if (!open) throw new Error("channel closed");
      const copy = JSON.parse(JSON.stringify(message)) as WorkerMessage;
      setImmediate(() => {
        for (const handler of handlers[to]) handler(copy);
      });
    },
    onMessage(handler) {
      handlers[from].add(handler);
      return () => handlers[from].delete(handler);
    },
  });
  return {
    primary: end("worker", "primary"),
    worker: end("primary", "worker"),
    cut: () => {
      open = false;
    },
  };
}

const clock: Clock = { now: () => 1_000 };

function change(id: string, keyIds: string[] = ["key_a"]): Change {
  return { id, at: 0, keyIds, consumerIds: [], hashes: [], all: false };
}

/** A hub with `count` workers joined to it, each with its bus and what it applied. */
async function hubWithWorkers(count: number) {
  const hub = new WorkerHub({ clock: clock, nodeId: "n", primaryRole: "admin", workerRole: "gateway" });
  const primaryApplied: string[] = [];
  hub.subscribe((c) => primaryApplied.push(c.id));
  const workers = [];
  for (let index = 1; index <= count; index++) {
    const pair = channelPair();
    hub.attach(index, 1000 + index, pair.primary);
    const rpc = new RpcEndpoint<PrimaryMethods, WorkerMethods>({
      channel: pair.worker,
      local: { metrics: async () => "" },
      timeoutMs: 1000,
    });
    const bus = new WorkerChangeBus(pair.worker, rpc, clock);
    const applied: string[] = [];
    bus.subscribe((c) => applied.push(c.id));
    await bus.start();
    workers.push({ index, bus, applied, pair });
  }
  return { hub, primaryApplied, workers };
}

describe("WorkerHub and WorkerChangeBus (the bus of --workers without Redis)", () => {
  it("a change published by the primary reaches every worker; ?wait=true completes on the last ack", async () => {
    const { hub, primaryApplied, workers } = await hubWithWorkers(2);
    const c = change("chg_1");
    await hub.publish(c);
    expect(primaryApplied).toEqual(["chg_1"]);
    const outcome = await hub.waitFor(c, 1000);
    expect(outcome).toEqual({ complete: true, status: { changeId: "chg_1", nodes: 3, acknowledged: 3 } });
    for (const worker of workers) expect(worker.applied).toEqual(["chg_1"]);
    const nodes = await hub.liveNodes();
    expect(nodes.map((n) => [n.role, n.lastChangeId])).toEqual([
      ["admin", "chg_1"],
      ["gateway", "chg_1"],
      ["gateway", "chg_1"],
    ]);
  });

  it("a change published by a worker is applied there at once, then by the primary and the other worker", async () => {
    const { hub, primaryApplied, workers } = await hubWithWorkers(2);
    const [first, second] = workers;
    if (first === undefined || second === undefined) throw new Error("2 workers");
    const c = change("chg_w");
    await first.bus.publish(c);
    expect(first.applied).toEqual(["chg_w"]);
    // The worker asks the primary, which counts the publisher as acknowledged.
    const outcome = await first.bus.waitFor(c, 1000);
    expect(outcome.complete).toBe(true);
    expect(outcome.status).toMatchObject({ nodes: 3, acknowledged: 3 });
    expect(primaryApplied).toEqual(["chg_w"]);
    expect(second.applied).toEqual(["chg_w"]);
    expect(first.applied).toEqual(["chg_w"]);
    expect(await hub.status("chg_w")).toMatchObject({ acknowledged: 3 });
  });

  it("a worker that does not acknowledge makes ?wait=true time out; once it exits, nothing waits for it", async () => {
    const { hub, workers } = await hubWithWorkers(2);
    const silent = workers[1];
    if (silent === undefined) throw new Error("2 workers");
    silent.pair.cut();
    const c = change("chg_2");
    await hub.publish(c);
    const timedOut = await hub.waitFor(c, 100);
    expect(timedOut).toEqual({ complete: false, status: { changeId: "chg_2", nodes: 3, acknowledged: 2 } });
    const waiting = hub.waitFor(c, 5000);
    hub.detach(silent.index);
    expect(await waiting).toEqual({
      complete: true,
      status: { changeId: "chg_2", nodes: 2, acknowledged: 2 },
    });
    expect((await hub.liveNodes()).length).toBe(2);
  });

  it("a worker that has not joined is not waited for, and an unknown change is reported unknown", async () => {
    const hub = new WorkerHub({ clock: clock, nodeId: "n", primaryRole: "admin", workerRole: "gateway" });
    hub.attach(1, 1001, channelPair().primary);
    const c = change("chg_3");
    await hub.publish(c);
    expect(await hub.waitFor(c, 1000)).toMatchObject({
      complete: true,
      status: { nodes: 1, acknowledged: 1 },
    });
    expect(await hub.status("chg_unknown")).toBeNull();
  });
});
