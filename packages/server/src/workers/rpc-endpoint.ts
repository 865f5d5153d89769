import type { IpcChannel, WorkerMessage } from "./worker-messages.ts";

/** Methods one side offers the other: JSON in, JSON (or a promise of it) out. */
export type RpcMethods = { readonly [name: string]: (...args: never[]) => unknown };

/** A call that got no answer in time, or whose channel closed. */
export class RpcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RpcError";
  }
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export interface RpcEndpointOptions<Local extends RpcMethods> {
  readonly channel: IpcChannel;
  /** What this side answers. */
  readonly local: Local;
  /** A call without an answer this long rejects with `RpcError`. */
  readonly timeoutMs: number;
}

/**
 * Request/response over one IPC channel, both ways: `call` sends a `call`
 * message and resolves with the matching `result`; incoming calls run on
 * `local`. Calls are answered in any order (each carries its id); a thrown
 * error crosses as its message only.
 */
export class RpcEndpoint<Remote extends RpcMethods, Local extends RpcMethods = RpcMethods> {
  readonly #channel: IpcChannel;
  readonly #local: Local;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  readonly #unsubscribe: () => void;
  #nextId = 1;

  constructor(options: RpcEndpointOptions<Local>) {
    this.#channel = options.channel;
    this.#local = options.local;
    this.#timeoutMs = options.timeoutMs;
    this.#unsubscribe = this.#channel.onMessage((message) => this.#receive(message));
  }

  /** Calls `method` on the other side. Rejects on its error, on a timeout, or when the channel is closed. */
  call<M extends keyof Remote & string>(
    method: M,
    ...args: Parameters<Remote[M]>
  ): Promise<Awaited<ReturnType<Remote[M]>>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.#pending.delete(id);
          reject(new RpcError(`${method}: no answer within ${this.#timeoutMs} ms`));
        },
        timeoutOf(args, this.#timeoutMs),
      );
      timer.unref();
      this.#pending.set(id, {
        // The other side runs `Remote[M]`; its JSON answer is that method's result.
        resolve: (value) => resolve(value as Awaited<ReturnType<Remote[M]>>),
        reject,
        timer,
      });
      this.#channel.send({ kg: "call", id, method, args }).catch((error: unknown) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(new RpcError(`${method}: ${error instanceof Error ? error.message : String(error)}`));
      });
    });
  }

  /** Rejects every call still waiting (the other side is gone) and stops listening. */
  close(reason = "channel closed"): void {
    this.#unsubscribe();
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new RpcError(reason));
      this.#pending.delete(id);
    }
  }

  #receive(message: WorkerMessage): void {
    if (message.kg === "result") {
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new Error(message.error ?? "remote call failed"));
      return;
    }
    if (message.kg === "call") this.#answer(message.id, message.method, message.args);
  }

  #answer(id: number, method: string, args: readonly unknown[]): void {
    const handler = Object.hasOwn(this.#local, method) ? this.#local[method] : undefined;
    const reply = (result: WorkerMessage) => this.#channel.send(result).catch(() => undefined);
    if (handler === undefined) {
      void reply({ kg: "result", id, ok: false, error: `unknown method ${method}` });
      return;
    }
    // JSON from the other side, shaped by the same method's `Parameters`: checked by the caller's types.
    const run = handler as unknown as (...input: readonly unknown[]) => unknown;
    void Promise.resolve()
      .then(() => run.apply(this.#local, [...args]))
      .then(
        (value) => reply({ kg: "result", id, ok: true, value: value ?? null }),
        (error: unknown) =>
          reply({
            kg: "result",
            id,
            ok: false,
            error: error instanceof Error ? error.message : String(error),
          }),
      );
  }
}

/**
 * A call whose last argument is `{timeoutMs}` waits that long plus a margin
 * (the remote side waits that long itself, e.g. for acknowledgements).
 */
function timeoutOf(args: readonly unknown[], fallback: number): number {
  const last = args[args.length - 1];
  if (typeof last === "object" && last !== null && "timeoutMs" in last && typeof last.timeoutMs === "number")
    return last.timeoutMs + fallback;
  return fallback;
}
