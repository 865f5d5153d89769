/**
 * The zero-downtime rotation load (issue 2, proof 1), shared by the gateway
 * test (e2e/zero-downtime-rotation.test.ts) and the forward-auth test
 * through nginx (e2e/forward-auth-proxies.test.ts): 16 concurrent clients
 * call `url` while one key lineage is rotated `rotations` times (overlaps
 * 0.5–3 s, every `rollbackEvery`-th rotation rolled back, 0 for none), and
 * the clients move to each new key at a random moment inside its overlap. A
 * request counts against keygate only when its whole life (send → response)
 * lies inside its key's validity, or wholly after the key became invalid;
 * requests that straddle a boundary are reported apart.
 */
import { Pool } from "undici";
import { expect } from "vitest";
import type { KeygateStack } from "./keygate-stack.ts";

/** A key of the lineage and the moments its validity changed. */
export interface KeyState {
  secret: string;
  id: string;
  /** Valid from (ms, client clock = server clock: same machine). */
  validFrom: number;
  /** From this moment success is no longer guaranteed. */
  invalidFrom: number;
  /** From this moment every request must be refused with `invalidCode`. */
  refusedFrom: number;
  invalidCode: "KEY_EXPIRED" | "KEY_REVOKED" | null;
  /** [from, to) intervals in which the key was certainly deprecated. */
  deprecations: Array<[number, number]>;
}

/** One request as a client saw it. */
export interface Sample {
  key: KeyState;
  sentAt: number;
  doneAt: number;
  status: number;
  code: string | null;
  contentType: string;
  deprecation: boolean;
  sunset: boolean;
  error: string | null;
}

const CLIENTS = 16;
const random = (min: number, max: number) => min + Math.random() * (max - min);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RotationLoadOptions {
  /** Where the clients send their requests (a gateway, or a proxy asking forward auth). */
  readonly url: string;
  readonly rotations: number;
  /** Every n-th rotation is rolled back inside its overlap; 0: none. */
  readonly rollbackEvery: number;
  /** The request path. Default `/v2/trader-grades?symbol=ETH`. */
  readonly path?: string;
}

export interface RotationLoadResult {
  readonly summary: {
    requests: number;
    probes: number;
    validOk: number;
    deprecatedChecked: number;
    ambiguous: number;
    rollbacks: number;
  };
  /** Requests keygate answered wrongly (a valid key refused, an invalid one not refused, an error). */
  readonly wrongly: readonly Sample[];
  /** Requests made while their key was deprecated that lacked `Deprecation` or `Sunset`. */
  readonly missingDeprecationHeaders: readonly Sample[];
  /** After each retirement (or rollback), a request with the retired key. */
  readonly probes: readonly Sample[];
  /** Every secret issued (for log checks). */
  readonly secrets: readonly string[];
}

/** Runs the load and the rotations through `stack`'s admin API; resolves with the classified samples. */
export async function runRotationLoad(
  stack: KeygateStack,
  options: RotationLoadOptions,
): Promise<RotationLoadResult> {
  const secrets: string[] = [];
  const consumer = await stack.admin<{ id: string }>("POST", "/v1/consumers", { name: "load-consumer" });
  expect(consumer.status).toBe(201);
  const created = await stack.admin<{ key: { id: string }; secret: string }>(
    "POST",
    `/v1/consumers/${consumer.body.id}/keys`,
    { name: "Production" },
  );
  expect(created.status).toBe(201);
  secrets.push(created.body.secret);
  const first: KeyState = {
    secret: created.body.secret,
    id: created.body.key.id,
    validFrom: Date.now(),
    invalidFrom: Number.POSITIVE_INFINITY,
    refusedFrom: Number.POSITIVE_INFINITY,
    invalidCode: null,
    deprecations: [],
  };
  // Each client holds a key and, after a rotation, a scheduled moment to move to the successor.
  const clients = Array.from({ length: CLIENTS }, () => ({
    key: first,
    next: null as KeyState | null,
    switchAt: 0,
  }));
  const samples: Sample[] = [];
  const pool = new Pool(options.url, { connections: CLIENTS });
  let running = true;

  const send = async (key: KeyState): Promise<Sample> => {
    const sentAt = Date.now();
    try {
      const res = await pool.request({
        method: "GET",
        path: options.path ?? "/v2/trader-grades?symbol=ETH",
        headers: { "x-api-key": key.secret },
      });
      const text = await res.body.text();
      const doneAt = Date.now();
      let code: string | null = null;
      if (res.statusCode >= 400) code = (JSON.parse(text) as { code?: string }).code ?? null;
      return {
        key,
        sentAt,
        doneAt,
        status: res.statusCode,
        code,
        contentType: String(res.headers["content-type"] ?? ""),
        deprecation: typeof res.headers.deprecation === "string" && /^@\d+$/.test(res.headers.deprecation),
        sunset: typeof res.headers.sunset === "string" && !Number.isNaN(Date.parse(res.headers.sunset)),
        error: null,
      };
    } catch (error) {
      return {
        key,
        sentAt,
        doneAt: Date.now(),
        status: 0,
        code: null,
        contentType: "",
        deprecation: false,
        sunset: false,
        error: String(error),
      };
    }
  };

  const loops = clients.map(async (client) => {
    while (running) {
      if (client.next && Date.now() >= client.switchAt) {
        client.key = client.next;
        client.next = null;
      }
      samples.push(await send(client.key));
    }
  });

  // Probes: after a key is retired, a request with it must be 401 KEY_EXPIRED / KEY_REVOKED problem+json.
  const probes: Sample[] = [];
  let current = first;
  let rollbacks = 0;
  for (let i = 1; i <= options.rotations; i++) {
    const overlapSeconds = Math.round(random(0.5, 3) * 1000) / 1000;
    const rotated = await stack.admin<{
      rotation: { id: string; sunsetAt: string };
      key: { id: string };
      secret: string;
    }>("POST", `/v1/keys/${current.id}/rotate?wait=true`, { overlapSeconds });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(201);
    secrets.push(rotated.body.secret);
    const rotatedAt = Date.now();
    const sunsetAt = Date.parse(rotated.body.rotation.sunsetAt);
    const old = current;
    const deprecation: [number, number] = [rotatedAt, sunsetAt];
    old.deprecations.push(deprecation);
    old.invalidFrom = sunsetAt;
    old.refusedFrom = sunsetAt;
    old.invalidCode = "KEY_EXPIRED";
    const successor: KeyState = {
      secret: rotated.body.secret,
      id: rotated.body.key.id,
      validFrom: rotatedAt,
      invalidFrom: Number.POSITIVE_INFINITY,
      refusedFrom: Number.POSITIVE_INFINITY,
      invalidCode: null,
      deprecations: [],
    };
    for (const client of clients) {
      client.next = successor;
      client.switchAt = rotatedAt + random(0, 0.85) * (sunsetAt - rotatedAt);
    }
    if (options.rollbackEvery > 0 && i % options.rollbackEvery === 0) {
      // Roll back somewhere inside the overlap: the old key is active again, the new one revoked.
      await sleep(random(0.2, 0.6) * (sunsetAt - rotatedAt));
      const rollbackSentAt = Date.now();
      successor.invalidFrom = rollbackSentAt; // anything after this may be refused
      const rolledBack = await stack.admin(
        "POST",
        `/v1/rotations/${rotated.body.rotation.id}/rollback?wait=true`,
      );
      expect(rolledBack.status, JSON.stringify(rolledBack.body)).toBe(200);
      const rolledBackAt = Date.now();
      successor.invalidCode = "KEY_REVOKED";
      successor.refusedFrom = rolledBackAt;
      old.invalidFrom = Number.POSITIVE_INFINITY;
      old.refusedFrom = Number.POSITIVE_INFINITY;
      old.invalidCode = null;
      deprecation[1] = rollbackSentAt;
      for (const client of clients) {
        client.next = old;
        client.switchAt = rolledBackAt;
      }
      // A request after the rollback with the revoked successor is refused.
      probes.push(await send(successor));
      rollbacks++;
      continue;
    }
    await sleep(Math.max(0, sunsetAt - Date.now()) + 50);
    probes.push(await send(old));
    current = successor;
  }
  running = false;
  await Promise.all(loops);
  await pool.close();

  // Classify.
  const wrongly: Sample[] = [];
  const ambiguous: Sample[] = [];
  let validOk = 0;
  let deprecatedChecked = 0;
  const missingDeprecationHeaders: Sample[] = [];
  for (const s of [...samples, ...probes]) {
    if (s.error !== null || s.status >= 500) {
      wrongly.push(s);
      continue;
    }
    const { key } = s;
    if (s.sentAt >= key.validFrom && s.doneAt < key.invalidFrom) {
      if (s.status !== 200) wrongly.push(s);
      else validOk++;
      const wasDeprecatedThroughout = key.deprecations.some(
        ([from, to]) => s.sentAt >= from && s.doneAt < to,
      );
      if (wasDeprecatedThroughout && s.status === 200) {
        deprecatedChecked++;
        if (!s.deprecation || !s.sunset) missingDeprecationHeaders.push(s);
      }
    } else if (s.sentAt >= key.refusedFrom) {
      if (
        s.status !== 401 ||
        s.code !== key.invalidCode ||
        !s.contentType.startsWith("application/problem+json")
      ) {
        wrongly.push(s);
      }
    } else {
      ambiguous.push(s);
    }
  }
  const summary = {
    requests: samples.length,
    probes: probes.length,
    validOk,
    deprecatedChecked,
    ambiguous: ambiguous.length,
    rollbacks,
  };
  return { summary, wrongly, missingDeprecationHeaders, probes, secrets };
}
