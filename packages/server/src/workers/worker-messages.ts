import type { Serializable } from "node:child_process";
import type { Change } from "@keygate/core";

/**
 * What the primary and its workers say to each other over the cluster IPC
 * channel (JSON). Every message carries `kg`, so messages node:cluster sends
 * on the same channel for itself are told apart.
 */
export type WorkerMessage =
  /** A worker's listeners are open: the primary may count it as started. */
  | { readonly kg: "ready" }
  /** A change this worker published and already applied; the primary applies it and sends it to the others. */
  | { readonly kg: "publish"; readonly change: Change }
  /** A change for a worker to apply (and acknowledge). */
  | { readonly kg: "change"; readonly change: Change }
  /** A worker applied change `id`. */
  | { readonly kg: "ack"; readonly id: string }
  /** Stop accepting, finish what is in flight, hand leases back, exit. */
  | { readonly kg: "drain" }
  /** A request of the other side's `RpcEndpoint`. */
  | { readonly kg: "call"; readonly id: number; readonly method: string; readonly args: readonly unknown[] }
  /** Its answer. */
  | {
      readonly kg: "result";
      readonly id: number;
      readonly ok: boolean;
      readonly value?: unknown;
      readonly error?: string;
    };

const KINDS = new Set(["ready", "publish", "change", "ack", "drain", "call", "result"]);

/** Whether `message` (anything read from the IPC channel) is one of ours. */
export function isWorkerMessage(message: unknown): message is WorkerMessage {
  if (typeof message !== "object" || message === null || !("kg" in message)) return false;
  return typeof message.kg === "string" && KINDS.has(message.kg);
}

/** One end of the IPC channel between the primary and one worker. */
export interface IpcChannel {
  /** Hands `message` to the channel; rejects when the channel is closed. */
  send(message: WorkerMessage): Promise<void>;
  /** Calls `handler` with each of our messages from the other side. Returns an unsubscribe. */
  onMessage(handler: (message: WorkerMessage) => void): () => void;
}

/** The channel of a process started by node:cluster (or `child_process.fork`), seen from either end. */
export interface ProcessLike {
  send?:
    | ((message: Serializable, sendHandle?: undefined, callback?: (error: Error | null) => void) => boolean)
    | undefined;
  on(event: "message", listener: (message: unknown) => void): unknown;
  off(event: "message", listener: (message: unknown) => void): unknown;
}

/** An `IpcChannel` over `process` in a worker, or over a `cluster.Worker` in the primary. */
export function processChannel(target: ProcessLike): IpcChannel {
  return {
    send(message) {
      return new Promise((resolve, reject) => {
        const send = target.send;
        if (send === undefined) {
          reject(new Error("no IPC channel"));
          return;
        }
        try {
          send.call(target, message, undefined, (error) => (error === null ? resolve() : reject(error)));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    },
    onMessage(handler) {
      const listener = (message: unknown) => {
        if (isWorkerMessage(message)) handler(message);
      };
      target.on("message", listener);
      return () => {
        target.off("message", listener);
      };
    },
  };
}
