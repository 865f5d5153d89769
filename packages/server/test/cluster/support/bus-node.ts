import { randomBytes } from "node:crypto";
import type { Change } from "@keygate/core";
import { RedisChangeBus } from "../../../src/cluster/redis/redis-change-bus.ts";
import type { RedisChangeBusOptions } from "../../../src/cluster/redis/redis-change-bus-options.ts";
import { systemClock } from "../../../src/platform/node-platform.ts";
import { recordingLogger } from "./redis.ts";

/** One "node" of a test cluster: a bus with its own connections, plus what it received and signalled. */
export interface BusNode {
  readonly nodeId: string;
  readonly bus: RedisChangeBus;
  readonly received: Change[];
  readonly logger: ReturnType<typeof recordingLogger>;
  readonly signals: { lost: number; restored: number; order: Array<"lost" | "restored"> };
}

export async function startBusNode(
  nodeId: string,
  options: { redisUrl: string; keyPrefix: string } & Partial<RedisChangeBusOptions>,
): Promise<BusNode> {
  const logger = recordingLogger();
  const received: Change[] = [];
  const signals: BusNode["signals"] = { lost: 0, restored: 0, order: [] };
  const bus = new RedisChangeBus({
    nodeId,
    role: "all",
    clock: systemClock,
    logger,
    onBusLost: () => {
      signals.lost++;
      signals.order.push("lost");
    },
    onBusRestored: () => {
      signals.restored++;
      signals.order.push("restored");
    },
    ...options,
  });
  bus.subscribe((change) => void received.push(change));
  await bus.start();
  return { nodeId, bus, received, logger, signals };
}

export function makeChange(label: string): Change {
  return {
    id: `chg_${label}_${randomBytes(6).toString("hex")}`,
    at: Date.now(),
    keyIds: [`key_${label}`],
    consumerIds: [],
    hashes: [],
    all: false,
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}
