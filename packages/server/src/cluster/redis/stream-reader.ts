import { setTimeout as delay } from "node:timers/promises";
import type { BusLogger } from "./redis-change-bus-options.ts";
import { connectClient, type RedisClient, readyOrTimeout } from "./redis-connection.ts";
import { resumePoint, type StreamProbe } from "./resume-point.ts";

export type StreamEntry = [id: string, fields: string[]];

export interface StreamReaderOptions {
  /** A connection of its own: it spends its life blocked in XREAD. */
  readonly redis: RedisClient;
  readonly streamKey: string;
  readonly logger: BusLogger;
  readonly batchSize: number;
  readonly blockMs: number;
  /** Applies entries in stream order. MUST NOT throw; the next read waits for it. */
  readonly onEntries: (entries: readonly StreamEntry[]) => Promise<void>;
  /** The reader may have missed entries: `disconnected` once per outage, `gap` when a reconnect finds some gone. */
  readonly onLost: (reason: "disconnected" | "gap") => void;
  /** Caught up after an outage. */
  readonly onRestored: () => void;
}

type ReaderState = "connected" | "lost" | "catching-up";

/**
 * Reads the change stream in a loop, remembering the id of the last entry it
 * processed. After any read failure it waits for the connection to return,
 * checks that nothing after that id was trimmed away, and resumes from it, so
 * a disconnected node catches up on every change it missed (unlike pub/sub).
 */
export class StreamReader {
  readonly #o: StreamReaderOptions;
  #lastId = "0-0";
  #state: ReaderState = "connected";
  #signalledLost = false;
  #closing = false;
  #loop: Promise<void> | undefined;

  constructor(options: StreamReaderOptions) {
    this.#o = options;
  }

  /** Connects and starts reading at the stream's current end. */
  async start(): Promise<void> {
    await connectClient(this.#o.redis);
    const probe = await this.#probe();
    this.#lastId = probe.exists ? probe.lastGeneratedId : "0-0";
    this.#loop = this.#run();
  }

  /** Id of the last entry processed. */
  get lastId(): string {
    return this.#lastId;
  }

  /** True while reading normally; false from a lost connection until caught up again. */
  isConnected(): boolean {
    return this.#state === "connected" && !this.#closing;
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#o.redis.disconnect();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { redis, streamKey, batchSize, blockMs } = this.#o;
    while (!this.#closing) {
      try {
        if (this.#state === "lost") {
          if (redis.status !== "ready") {
            await readyOrTimeout(redis, 500);
            continue;
          }
          await this.#resume();
        }
        const catchingUp = this.#state === "catching-up";
        // While catching up, read without blocking so an empty answer means "caught up" at once.
        const reply = catchingUp
          ? await redis.xread("COUNT", batchSize, "STREAMS", streamKey, this.#lastId)
          : await redis.xread("COUNT", batchSize, "BLOCK", blockMs, "STREAMS", streamKey, this.#lastId);
        const entries = reply?.[0]?.[1] ?? [];
        const last = entries[entries.length - 1];
        if (last !== undefined) {
          await this.#o.onEntries(entries);
          this.#lastId = last[0];
        }
        if (catchingUp && entries.length < batchSize && this.#state === "catching-up") {
          this.#state = "connected";
          this.#signalledLost = false;
          this.#o.logger.info({ lastId: this.#lastId }, "change stream caught up");
          this.#o.onRestored();
        }
      } catch (error) {
        if (this.#closing) break;
        this.#markLost(error);
        // A command error on a healthy connection (not a disconnect) must not spin the loop.
        if (redis.status === "ready") await delay(250);
        else await readyOrTimeout(redis, 500);
      }
    }
  }

  #markLost(error: unknown): void {
    this.#state = "lost";
    if (this.#signalledLost) return;
    this.#signalledLost = true;
    this.#o.logger.warn(
      { err: error instanceof Error ? error.message : String(error), lastId: this.#lastId },
      "change stream lost; will resume after reconnecting",
    );
    this.#o.onLost("disconnected");
  }

  async #resume(): Promise<void> {
    const probe = await this.#probe();
    const { from, gap } = resumePoint(this.#lastId, probe);
    if (gap) {
      this.#o.logger.warn(
        { lastId: this.#lastId, resumeFrom: from },
        "change stream lost entries while away",
      );
      this.#o.onLost("gap");
    }
    this.#lastId = from;
    this.#state = "catching-up";
  }

  async #probe(): Promise<StreamProbe & { lastGeneratedId: string }> {
    const { redis, streamKey } = this.#o;
    const replies =
      (await redis
        .pipeline()
        .xinfo("STREAM", streamKey)
        .xrange(streamKey, this.#lastId, this.#lastId)
        .time()
        .exec()) ?? [];
    const [info, range, time] = replies;
    const timeReply = time?.[1];
    if (time === undefined || time[0] !== null || !Array.isArray(timeReply)) throw new Error("TIME failed");
    const serverMs = Number(timeReply[0]) * 1000 + Math.floor(Number(timeReply[1]) / 1000);
    if (info === undefined || info[0] !== null) {
      const message = info?.[0]?.message ?? "";
      if (!/no such key/i.test(message)) throw info?.[0] ?? new Error("XINFO failed");
      return {
        exists: false,
        lastIdPresent: false,
        length: 0,
        entriesAdded: undefined,
        serverMs,
        lastGeneratedId: "0-0",
      };
    }
    const fields = flatPairs(info[1]);
    const rangeReply = range?.[0] === null ? range[1] : [];
    const entriesAdded = fields.get("entries-added");
    return {
      exists: true,
      lastIdPresent: Array.isArray(rangeReply) && rangeReply.length > 0,
      length: Number(fields.get("length") ?? 0),
      entriesAdded: typeof entriesAdded === "number" ? entriesAdded : undefined,
      serverMs,
      lastGeneratedId: String(fields.get("last-generated-id") ?? "0-0"),
    };
  }
}

function flatPairs(reply: unknown): Map<string, unknown> {
  const map = new Map<string, unknown>();
  if (!Array.isArray(reply)) return map;
  for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), reply[i + 1]);
  return map;
}
