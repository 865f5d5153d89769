import type { Actor, AuditInput, Change, KeyRecord, OutboxEventInput } from "@keygate/core";
import { decideKeyValidity, KeygateError, parseKeySecret } from "@keygate/core";
import { revokeKey } from "./revoke-key.ts";
import { getKeyOrThrow, rotateKey } from "./rotate-key.ts";
import { auditEntry, type CommitExtras, eventId, type ServiceDeps } from "./service-deps.ts";

/** What happens to a key reported as leaked (the `leaks` section of the config file). */
export interface LeakPolicy {
  /** `revoke`: invalid at once. `rotate`: a successor is issued and the leaked key dies after `overlapSeconds`. */
  readonly action: "revoke" | "rotate";
  /** For `rotate`: how long the leaked key keeps working (0 = emergency rollover). */
  readonly overlapSeconds: number;
}

export const DEFAULT_LEAK_POLICY: LeakPolicy = { action: "revoke", overlapSeconds: 300 };

/** Who acts on GitHub's reports in the audit log. */
export const SECRET_SCANNING_ACTOR: Actor = { type: "system", id: "github-secret-scanning" };

/** Revocation reason recorded on a leaked key. */
export const LEAKED_REASON = "leaked";

/** Most matches one report may carry; a bigger batch is refused whole (GitHub splits its batches). */
export const MAX_LEAK_REPORT_ITEMS = 1000;

/** One match of GitHub's secret-scanning partner payload. */
export interface LeakReportItem {
  readonly token: string;
  readonly type: string;
  /** Where the match was found; may be empty. */
  readonly url?: string | undefined;
  /** `content`, `commit`, `pull_request_comment`, … */
  readonly source?: string | undefined;
}

/** GitHub's feedback format: one entry per reported match, in the order reported. */
export interface LeakVerdict {
  readonly token_raw: string;
  readonly token_type: string;
  readonly label: "true_positive" | "false_positive";
}

/** Where a leak was seen, as recorded in `key.leaked` (never the token). */
interface LeakLocation {
  readonly source: string;
  readonly url: string;
}

/** Context of one leak, for its event and audit entry. */
interface LeakContext {
  readonly actor: Actor;
  readonly action: LeakPolicy["action"];
  readonly overlapSeconds: number;
  readonly tokenType: string | null;
  readonly locations: readonly LeakLocation[];
  /** Set when this key was not reported itself but descends from the reported key (`leakedKeyId`). */
  readonly leakedKeyId?: string | undefined;
}

/** Keys of one lineage read per page while collecting a leaked key's successors. */
const LINEAGE_PAGE = 500;

/** What happens to the successors of a leaked key, whatever `leaks.action` says. */
const SUCCESSOR_POLICY: LeakPolicy = { action: "revoke", overlapSeconds: 0 };

const MAX_LOCATIONS = 10;
const MAX_TEXT = 2048;
const MAX_ATTEMPTS = 3;
// With the `u` flag a surrogate range matches lone halves only; PostgreSQL refuses those and NUL.
const UNSTORABLE = /[\p{Cc}\uD800-\uDFFF]/gu;
const KEY_SHAPED = /kg_(?:live|test)_[0-9A-Za-z_]*/g;

/** Reporter-supplied text made safe to store: bounded, storable, and never carrying a key. */
function safeText(value: string | undefined): string {
  return (value ?? "").slice(0, MAX_TEXT).replace(UNSTORABLE, "\uFFFD").replace(KEY_SHAPED, "kg_…");
}

/** The `key.leaked` event and its audit entry, for the unit of work that contains the leak. */
function leakRecords(deps: ServiceDeps, key: KeyRecord, leak: LeakContext): CommitExtras {
  const now = deps.clock.now();
  const data: Record<string, unknown> = {
    keyId: key.id,
    consumerId: key.consumerId,
    lineageId: key.lineageId,
    version: key.version,
    hint: key.hint,
    env: key.env,
    reporter: leak.actor.id,
    action: leak.action,
    ...(leak.action === "rotate" ? { overlapSeconds: leak.overlapSeconds } : {}),
    tokenType: leak.tokenType,
    source: leak.locations[0]?.source ?? "unknown",
    url: leak.locations[0]?.url ?? "",
    locations: leak.locations,
    ...(leak.leakedKeyId === undefined
      ? {}
      : { leakedKeyId: leak.leakedKeyId, reason: "successor_of_leaked" }),
  };
  const audit: AuditInput = auditEntry(now, leak.actor, "key.leaked", "key", key.id, data);
  const event: OutboxEventInput = { id: eventId(deps, now), type: "key.leaked", at: now, data };
  return { audit: [audit], events: [event] };
}

/** What containing one leaked key did. */
type Containment =
  | { readonly type: "contained"; readonly change: Change }
  | { readonly type: "already_invalid" };

/**
 * Makes one leaked key unusable per the policy, with `key.leaked` in the same
 * transaction as the revocation or rotation. A key that is already invalid,
 * or already dying within the policy's overlap, is left alone. A concurrent
 * change (409) is retried against the key as it is then.
 */
async function containLeak(
  deps: ServiceDeps,
  initial: KeyRecord,
  policy: LeakPolicy,
  leak: Omit<LeakContext, "action" | "overlapSeconds">,
): Promise<Containment> {
  let key: KeyRecord | null = initial;
  for (let attempt = 1; ; attempt++) {
    if (key === null) return { type: "already_invalid" };
    const now = deps.clock.now();
    if (decideKeyValidity(key, now).type === "invalid") return { type: "already_invalid" };
    // Only an active key can be rotated; a deprecated one already has a successor.
    const rotate = policy.action === "rotate" && key.status === "active";
    if (
      policy.action === "rotate" &&
      !rotate &&
      key.sunsetAt !== null &&
      key.sunsetAt <= now + Math.round(policy.overlapSeconds * 1000)
    ) {
      return { type: "already_invalid" };
    }
    const context: LeakContext = {
      ...leak,
      action: rotate ? "rotate" : "revoke",
      overlapSeconds: policy.overlapSeconds,
    };
    const extras = leakRecords(deps, key, context);
    try {
      const result = rotate
        ? await rotateKey(deps, leak.actor, key.id, { overlapSeconds: policy.overlapSeconds }, extras)
        : await revokeKey(deps, leak.actor, key.id, LEAKED_REASON, extras);
      return { type: "contained", change: result.change };
    } catch (error) {
      if (!(error instanceof KeygateError && error.code === "CONFLICT") || attempt >= MAX_ATTEMPTS)
        throw error;
      key = await deps.store.getKey(key.id);
    }
  }
}

/** Keys of `key`'s lineage with a higher version (the keys rotation produced from it), newest first. */
// Newest first: revoking a newer key never depends on an older one.
async function successorsOf(deps: ServiceDeps, key: KeyRecord): Promise<KeyRecord[]> {
  const found: KeyRecord[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await deps.store.listKeys({ lineageId: key.lineageId, after, limit: LINEAGE_PAGE });
    for (const other of page) if (other.version > key.version) found.push(other);
    if (page.length < LINEAGE_PAGE) break;
    after = page.at(-1)?.id;
  }
  return found.sort((a, b) => b.version - a.version);
}

function locationsOf(items: readonly LeakReportItem[]): LeakLocation[] {
  const seen = new Set<string>();
  const locations: LeakLocation[] = [];
  for (const item of items) {
    const location = { source: safeText(item.source) || "unknown", url: safeText(item.url) };
    const id = `${location.source}\u0000${location.url}`;
    if (seen.has(id) || locations.length >= MAX_LOCATIONS) continue;
    seen.add(id);
    locations.push(location);
  }
  return locations;
}

/**
 * Handles a verified secret-scanning report. Each distinct token is looked up
 * by its hash: an unknown or malformed one is a `false_positive`; a known one
 * is a `true_positive` and, unless it is already invalid, is revoked or
 * rotated per `policy` with a `key.leaked` event. The verdicts mirror the
 * reported matches one for one, in order. The token itself is never stored,
 * logged or put in an event: the key's hint identifies it.
 */
export async function reportLeaks(
  deps: ServiceDeps,
  policy: LeakPolicy,
  items: readonly LeakReportItem[],
): Promise<{ verdicts: LeakVerdict[]; changes: Change[] }> {
  if (items.length > MAX_LEAK_REPORT_ITEMS) {
    throw new KeygateError(
      "VALIDATION_FAILED",
      `a report may carry at most ${MAX_LEAK_REPORT_ITEMS} matches`,
    );
  }
  const byToken = new Map<string, LeakReportItem[]>();
  for (const item of items) byToken.set(item.token, [...(byToken.get(item.token) ?? []), item]);
  const labels = new Map<string, LeakVerdict["label"]>();
  const changes: Change[] = [];
  for (const [token, reports] of byToken) {
    const found = parseKeySecret(token).ok
      ? await deps.store.findKeyByHash(deps.hasher.sha256Hex(token))
      : null;
    if (found === null) {
      labels.set(token, "false_positive");
      continue;
    }
    const leak = {
      actor: SECRET_SCANNING_ACTOR,
      tokenType: safeText(reports[0]?.type) || null,
      locations: locationsOf(reports),
    };
    // Read before containing anything: a successor the containment itself issues (rotate) is not the holder's.
    const successors = await successorsOf(deps, found.key);
    const outcome = await containLeak(deps, found.key, policy, leak);
    if (outcome.type === "contained") changes.push(outcome.change);
    // Whoever held the leaked key may have rotated it (POST /v1/self/rotate) before the report came:
    // every key it produced is as exposed as itself (security review 1), and is revoked whatever the
    // policy (an overlap would leave the holder a working key; rotating would only mint another).
    for (const successor of successors) {
      const contained = await containLeak(deps, successor, SUCCESSOR_POLICY, {
        ...leak,
        leakedKeyId: found.key.id,
      });
      if (contained.type === "contained") changes.push(contained.change);
    }
    labels.set(token, "true_positive");
  }
  const verdicts = items.map((item) => ({
    token_raw: item.token,
    token_type: item.type,
    label: labels.get(item.token) ?? "false_positive",
  }));
  return { verdicts, changes };
}

/**
 * An operator reports a leaked key by id (`keygate incident`): the same path
 * as a scanner's report, as an emergency rollover (overlap 0). Only the
 * newest key of a lineage can be rolled over; any other is a 409, as for
 * `rotate` (revoke it instead).
 */
export async function reportIncident(deps: ServiceDeps, actor: Actor, keyId: string) {
  const key = await getKeyOrThrow(deps, keyId);
  const extras = leakRecords(deps, key, {
    actor,
    action: "rotate",
    overlapSeconds: 0,
    tokenType: null,
    locations: [{ source: "operator", url: "" }],
  });
  return rotateKey(deps, actor, keyId, { overlapSeconds: 0 }, extras);
}
