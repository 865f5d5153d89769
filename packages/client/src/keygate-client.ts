import {
  ClientEmitter,
  type KeygateClientEventName,
  type KeygateClientListener,
  toError,
} from "./client-events.ts";
import { type DeprecationSignal, readDeprecationSignal } from "./deprecation-signal.ts";
import { isWellFormedKey, keyHint } from "./key-shape.ts";
import type { KeyStore } from "./key-store.ts";
import { KeygateClientError } from "./keygate-client-error.ts";
import { readProblemCode } from "./problem-code.ts";
import { isReplayableRequest } from "./replayable-body.ts";
import { resolveRequestUrl } from "./resolve-url.ts";
import { type RotatedKey, readRotateResponse } from "./rotate-response.ts";

export interface KeygateClientOptions {
  /** Origin (and optional path prefix) of the keygate gateway. The key is only ever sent there. */
  readonly baseUrl: string | URL;
  /** Where the key lives; re-read whenever the key in memory may be stale. See `KeyStore`. */
  readonly store: KeyStore;
  /**
   * Self-rotate (`POST selfRotatePath`) when a response carries `Deprecation`
   * or `Sunset` and the store does not already hold a successor. Needs a store
   * with `save`. Default true; when false the client emits `deprecated` instead.
   */
  readonly autoRotate?: boolean;
  /** The fetch to use (a custom agent, a test double). Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Retry once after `429`, waiting `Retry-After` (at most `maxRetryAfterSeconds`), if the body is replayable. Default false. */
  readonly retryOn429?: boolean;
  /** Upper bound on a `Retry-After` wait, in seconds. Default 30. */
  readonly maxRetryAfterSeconds?: number;
  /**
   * Self-rotation endpoint: a path joined to `baseUrl` (default `/v1/self/rotate`), or an absolute
   * URL, e.g. keygate's admin port when the gateway is not where you rotate. An absolute URL is an
   * explicit choice to send the key there, so it may have another origin.
   */
  readonly selfRotatePath?: string;
  /** After a failed self-rotation (network, 5xx), how long to wait before trying again for that key. Default 30 s. */
  readonly rotationRetryMs?: number;
}

/** What the client knows about the key it uses. Never the secret. */
export interface KeyInfo {
  readonly hint: string;
  /** Known once the client has self-rotated to this key. */
  readonly keyId?: string;
  readonly version?: number;
  /** From the last response made with this key that carried `Deprecation`. */
  readonly deprecatedAt?: Date;
  /** From the last response made with this key that carried `Sunset`. */
  readonly sunsetAt?: Date;
}

type KeyDetails = Omit<KeyInfo, "hint">;

/**
 * `fetch` with a keygate API key that keeps itself valid: it follows
 * `Deprecation`/`Sunset` signals by taking a successor from its store or by
 * self-rotating (once per key, once across every process sharing the store),
 * and recovers from `401 KEY_EXPIRED`/`KEY_REVOKED` when the store holds a
 * newer key. See README.md for the exact rules.
 */
export class KeygateClient {
  private readonly base: URL;
  private readonly store: KeyStore;
  private readonly autoRotate: boolean;
  private readonly fetchImpl: typeof fetch;
  private readonly retryOn429: boolean;
  private readonly maxRetryAfterMs: number;
  private readonly selfRotateUrl: URL;
  private readonly rotationRetryMs: number;
  private readonly emitter = new ClientEmitter();
  private readonly unwatch: (() => void) | null;

  private current: string | null = null;
  private details: KeyDetails = {};
  /** Bumped on every key switch; a store read that started before a switch must not undo it. */
  private epoch = 0;
  private initialLoad: Promise<string> | null = null;
  private rotation: Promise<void> | null = null;
  /** A successor this client minted and is saving: a watcher seeing it first must not claim it as a store change. */
  private adopting: string | null = null;
  /** Keys whose deprecation is settled (rotated, replaced, or reported): never rotated again. */
  private readonly settled = new Set<string>();
  /** Keys whose self-rotation failed transiently, with the time a retry is allowed. */
  private readonly retryAt = new Map<string, number>();

  constructor(options: KeygateClientOptions) {
    this.base = new URL(options.baseUrl);
    this.store = options.store;
    this.autoRotate = options.autoRotate ?? true;
    const fetchImpl = options.fetch;
    // Wrapped so a browser's fetch is never called with the client as `this`.
    this.fetchImpl = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
    this.retryOn429 = options.retryOn429 ?? false;
    this.maxRetryAfterMs = (options.maxRetryAfterSeconds ?? 30) * 1000;
    const selfRotatePath = options.selfRotatePath ?? "/v1/self/rotate";
    this.selfRotateUrl = /^[a-z][a-z\d+.-]*:/i.test(selfRotatePath)
      ? new URL(selfRotatePath)
      : resolveRequestUrl(selfRotatePath, this.base);
    this.rotationRetryMs = options.rotationRetryMs ?? 30_000;
    this.unwatch = this.store.watch ? this.store.watch(() => this.onStoreChange()) : null;
  }

  on<E extends KeygateClientEventName>(name: E, listener: KeygateClientListener<E>): this {
    this.emitter.on(name, listener);
    return this;
  }

  off<E extends KeygateClientEventName>(name: E, listener: KeygateClientListener<E>): this {
    this.emitter.off(name, listener);
    return this;
  }

  /**
   * `fetch` against the gateway with the current key in `x-api-key`. Paths
   * resolve against `baseUrl`; absolute URLs must share its origin. Resolves
   * with the response the caller would have got (after at most one retry, see
   * README); rotation work triggered by it continues in the background.
   */
  async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const url = resolveRequestUrl(input, this.base);
    const replayable = isReplayableRequest(input, init);
    let key = await this.currentKey();
    let response = await this.send(url, input, init, key);

    if (response.status === 401) {
      const code = await readProblemCode(response);
      if (code === "KEY_EXPIRED" || code === "KEY_REVOKED") {
        const fresh = await this.reloadFromStore();
        if (fresh !== key && replayable) {
          await discard(response);
          key = fresh;
          response = await this.send(url, input, init, key);
        }
      }
    }

    if (response.status === 429 && this.retryOn429 && replayable) {
      const waitMs = retryAfterMs(response.headers.get("retry-after"));
      if (waitMs !== null && waitMs <= this.maxRetryAfterMs) {
        await discard(response);
        await sleep(waitMs);
        key = this.current ?? key;
        response = await this.send(url, input, init, key);
      }
    }

    this.observe(key, response);
    return response;
  }

  /**
   * Rotates now, as if the gateway had signalled deprecation: takes a newer
   * key from the store if there is one, else self-rotates (regardless of
   * `autoRotate`). Resolves when done; rejects if the rotation failed.
   */
  async rotate(): Promise<KeyInfo> {
    await this.idle();
    const key = await this.currentKey();
    await this.startRotation(key, { deprecatedAt: null, sunsetAt: null }, true);
    if (this.current === key) {
      throw new KeygateClientError(
        "ROTATION_FAILED",
        `${keyHint(key)} was not rotated (see the deprecated event)`,
      );
    }
    return this.keyInfo();
  }

  /** Describes the key in use (loading it from the store on first use). */
  async keyInfo(): Promise<KeyInfo> {
    const key = await this.currentKey();
    return { hint: keyHint(key), ...this.details };
  }

  /** Resolves once no rotation is in flight (useful before a short-lived process exits). */
  async idle(): Promise<void> {
    while (this.rotation) await this.rotation;
  }

  /** Stops watching the store. The client can still be used; it just no longer hears about external changes. */
  close(): void {
    this.unwatch?.();
  }

  private async currentKey(): Promise<string> {
    if (this.current !== null) return this.current;
    this.initialLoad ??= this.loadInitialKey().finally(() => {
      this.initialLoad = null;
    });
    return this.initialLoad;
  }

  private async loadInitialKey(): Promise<string> {
    const value = (await this.store.load())?.trim() ?? null;
    if (this.current !== null) return this.current;
    if (value === null || !isWellFormedKey(value)) {
      throw new KeygateClientError(
        "NO_KEY",
        value === null ? "the key store is empty" : `the key store holds something that is not a keygate key`,
      );
    }
    this.current = value;
    return value;
  }

  private send(url: URL, input: RequestInfo | URL, init: RequestInit | undefined, key: string) {
    const headers = new Headers(typeof input === "object" && "headers" in input ? input.headers : undefined);
    for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
    headers.set("x-api-key", key);
    if (typeof Request !== "undefined" && input instanceof Request) {
      return this.fetchImpl(new Request(input, { ...init, headers }));
    }
    return this.fetchImpl(url, { ...init, headers });
  }

  /** Reads the store and switches to what it holds if that is a different, well-formed key. Returns the key now in use. */
  private async reloadFromStore(): Promise<string> {
    const startedAt = this.epoch;
    let value: string | null;
    try {
      value = (await this.store.load())?.trim() ?? null;
    } catch (error) {
      this.emitter.emit("error", {
        error: new KeygateClientError("STORE_FAILED", "could not read the key store", { cause: error }),
      });
      return this.currentOrThrow();
    }
    // A switch since this read started is at least as new as what was read.
    if (this.epoch !== startedAt || value === null || value === this.current || value === this.adopting) {
      return this.currentOrThrow();
    }
    if (!isWellFormedKey(value)) {
      this.emitter.emit("error", {
        error: new KeygateClientError(
          "STORE_FAILED",
          "the key store holds something that is not a keygate key",
        ),
      });
      return this.currentOrThrow();
    }
    this.switchTo(value, "store", {});
    return value;
  }

  private currentOrThrow(): string {
    if (this.current === null) throw new KeygateClientError("NO_KEY", "no key loaded");
    return this.current;
  }

  private switchTo(secret: string, source: "self" | "store", details: KeyDetails): void {
    const old = this.current;
    this.current = secret;
    this.details = details;
    this.epoch += 1;
    if (old !== null && old !== secret) {
      this.emitter.emit("rotated", { oldHint: keyHint(old), newHint: keyHint(secret), source });
    }
  }

  private onStoreChange(): void {
    if (this.current === null) return;
    this.reloadFromStore().catch((error: unknown) => this.emitter.emit("error", { error: toError(error) }));
  }

  /** Records what a response said about the key that made it, and starts rotation work if it asks for it. */
  private observe(key: string, response: Response): void {
    const signal = readDeprecationSignal(response.headers);
    if (signal === null) {
      if (key === this.current && response.ok) this.details = withoutDeprecation(this.details);
      return;
    }
    if (key === this.current) {
      this.details = {
        ...this.details,
        ...(signal.deprecatedAt ? { deprecatedAt: signal.deprecatedAt } : {}),
        ...(signal.sunsetAt ? { sunsetAt: signal.sunsetAt } : {}),
      };
    }
    if (this.settled.has(key) || this.rotation !== null) return;
    if ((this.retryAt.get(key) ?? 0) > Date.now()) return;
    this.startRotation(key, signal, false).catch((error: unknown) =>
      this.emitter.emit("error", { error: toError(error) }),
    );
  }

  /** Starts the rotation protocol for `key`, tracked as the client's single rotation in flight. */
  private startRotation(key: string, signal: DeprecationSignal, forced: boolean): Promise<void> {
    const run = this.settleDeprecation(key, signal, forced);
    const tracked: Promise<void> = run
      .catch(() => undefined)
      .finally(() => {
        if (this.rotation === tracked) this.rotation = null;
      });
    this.rotation = tracked;
    return run;
  }

  /**
   * The rotation protocol. Under the store's lock so that processes sharing a
   * store rotate once: the second one to get the lock finds the successor on
   * reload and switches to it instead of rotating again.
   */
  private async settleDeprecation(key: string, signal: DeprecationSignal, forced: boolean): Promise<void> {
    if ((await this.reloadFromStore()) !== key) return this.markSettled(key);
    const save = this.store.save?.bind(this.store);
    if (!(this.autoRotate || forced) || save === undefined) {
      this.markSettled(key);
      this.emitDeprecated(key, signal);
      return;
    }
    const lock = this.store.lock?.bind(this.store) ?? (<T>(fn: () => Promise<T>) => fn());
    await lock(async () => {
      if ((await this.reloadFromStore()) !== key) return this.markSettled(key);
      const rotated = await this.callSelfRotate(key, signal);
      if (rotated === null) return;
      this.markSettled(key);
      await this.adopt(key, rotated, save);
    });
  }

  /** `POST self/rotate`; null when the server refused for a reason that rotating again would not fix. */
  private async callSelfRotate(key: string, signal: DeprecationSignal): Promise<RotatedKey | null> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.selfRotateUrl, {
        method: "POST",
        headers: { "x-api-key": key, accept: "application/json" },
      });
    } catch (error) {
      this.retryAt.set(key, Date.now() + this.rotationRetryMs);
      throw new KeygateClientError("ROTATION_FAILED", `self-rotation of ${keyHint(key)} failed`, {
        cause: error,
      });
    }
    if (response.status === 201) return readRotateResponse(response, keyHint(key));
    await discard(response);
    if (response.status === 409 || response.status === 401 || response.status === 403) {
      // 409: not the newest of its lineage (someone else rotated); 401/403: this key may not rotate.
      this.markSettled(key);
      if ((await this.reloadFromStore()) !== key) return null;
      this.emitDeprecated(key, signal);
      if (response.status === 409) return null;
    } else {
      this.retryAt.set(key, Date.now() + this.rotationRetryMs);
    }
    throw new KeygateClientError(
      "ROTATION_FAILED",
      `self-rotation of ${keyHint(key)} answered ${response.status}`,
    );
  }

  /** Saves the successor and switches to it; if the store cannot take it, the successor is still used from memory. */
  private async adopt(
    previous: string,
    rotated: RotatedKey,
    save: (secret: string, previous: string | null) => Promise<boolean>,
  ): Promise<void> {
    const { secret: _secret, ...details } = rotated;
    let saved: boolean;
    this.adopting = rotated.secret;
    try {
      saved = await save(rotated.secret, previous);
    } catch (error) {
      this.adopting = null;
      // The old key no longer is the newest of its lineage: dropping the successor would strand this client.
      this.switchTo(rotated.secret, "self", details);
      throw new KeygateClientError(
        "STORE_FAILED",
        `rotated to ${keyHint(rotated.secret)} but could not save it; it is held in memory only`,
        { cause: error },
      );
    }
    this.adopting = null;
    if (saved) {
      this.switchTo(rotated.secret, "self", details);
      return;
    }
    // Someone wrote the store between our reload and our save (an operator); their key wins.
    if ((await this.reloadFromStore()) === previous) this.switchTo(rotated.secret, "self", details);
    throw new KeygateClientError(
      "ROTATION_NOT_SAVED",
      `rotated to ${keyHint(rotated.secret)} but the store changed meanwhile; using the store's key`,
    );
  }

  private markSettled(key: string): void {
    this.settled.add(key);
    this.retryAt.delete(key);
  }

  private emitDeprecated(key: string, signal: DeprecationSignal): void {
    this.emitter.emit("deprecated", {
      hint: keyHint(key),
      sunsetAt: signal.sunsetAt,
      deprecatedAt: signal.deprecatedAt,
    });
  }
}

function withoutDeprecation(details: KeyDetails): KeyDetails {
  const { deprecatedAt: _d, sunsetAt: _s, ...rest } = details;
  return rest;
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Already consumed or errored: nothing to free.
  }
}

/** `Retry-After` as delay-seconds or an HTTP-date, in ms; null when absent or unreadable. */
function retryAfterMs(value: string | null): number | null {
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
