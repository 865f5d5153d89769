import type { AdminToken } from "@keygate/core";
import { BASE62_ALPHABET, newId } from "@keygate/core";
import { publishChange, type ServiceDeps } from "../services/service-deps.ts";

const TOKEN_RANDOM_LENGTH = 40;

/** `kga_` + 40 base62 characters (≈ 238 bits) from the CSPRNG, by rejection sampling. */
export function generateAdminToken(deps: Pick<ServiceDeps, "random">): string {
  let body = "";
  while (body.length < TOKEN_RANDOM_LENGTH) {
    for (const byte of deps.random.bytes(64)) {
      // 248 = 4·62: bytes at or above it would favour the first 8 symbols.
      if (byte < 248 && body.length < TOKEN_RANDOM_LENGTH) body += BASE62_ALPHABET.charAt(byte % 62);
    }
  }
  return `kga_${body}`;
}

export interface BootstrapOptions {
  readonly deps: ServiceDeps;
  /** `KEYGATE_ADMIN_TOKEN`, when set. */
  readonly envToken?: string | undefined;
}

export interface BootstrapResult {
  /** The generated token: set only when this call made one; print it once and forget it. */
  readonly token?: string;
  /** The bootstrap token's id; null when no env token is set and tokens already exist. */
  readonly tokenId: string | null;
  /** True when this call stored a token. */
  readonly created: boolean;
  /** Earlier bootstrap tokens this call revoked (the env value changed). */
  readonly revoked: readonly string[];
}

/** `createdBy` of bootstrap tokens: how the replacement rule finds them. */
export const BOOTSTRAP_ISSUER = "system:bootstrap";

const BOOTSTRAP_ACTOR = { type: "system", id: "bootstrap" } as const;

/** Longest list of tokens read while looking for earlier bootstrap tokens (a page of them). */
const TOKEN_SCAN_PAGE = 500;

/**
 * Makes sure an operator can reach the admin API.
 *
 * - With `KEYGATE_ADMIN_TOKEN`: that value is the bootstrap token, an `admin`
 *   token named "bootstrap", stored as its hash unless it already is. At
 *   most one bootstrap token is live: any OTHER live bootstrap token (an
 *   earlier env value, or one generated at first start) is revoked in the
 *   same transaction, with an audit entry, and its revocation is published
 *   so running nodes drop it. Tokens issued through the API are never touched.
 *   An env value whose token was revoked (through the API) refuses to start:
 *   set a new value, or unset it.
 * - Without it: on an empty token table one token is generated and returned
 *   exactly once; otherwise nothing changes.
 *
 * The audit entries never hold a token.
 */
export async function ensureBootstrapToken(options: BootstrapOptions): Promise<BootstrapResult> {
  const { deps, envToken } = options;
  if (envToken !== undefined) {
    if (envToken.trim() === "") throw new Error("KEYGATE_ADMIN_TOKEN is empty");
    for (let attempt = 1; ; attempt++) {
      const existing = await deps.store.findAdminTokenByHash(deps.hasher.sha256Hex(envToken));
      if (existing !== null && existing.revokedAt !== null)
        throw new Error(
          `KEYGATE_ADMIN_TOKEN names revoked admin token ${existing.id}: set a new value, or unset it`,
        );
      const stale = (await liveBootstrapTokens(deps)).filter((t) => t.id !== existing?.id);
      if (existing !== null && stale.length === 0)
        return { tokenId: existing.id, created: false, revoked: [] };
      const result = await replaceBootstrap(deps, "env", existing === null ? envToken : null, stale);
      if (result.ok) {
        if (stale.length > 0) await publishChange(deps, { hashes: stale.map((t) => t.hash) });
        return {
          tokenId: existing?.id ?? result.tokenId ?? null,
          created: existing === null,
          revoked: stale.map((t) => t.id),
        };
      }
      // Another node starting with the same value stored it first, or revoked the same token: look again.
      if (attempt >= 3) throw new Error(`could not store the bootstrap admin token: ${result.conflict}`);
    }
  }
  if ((await deps.store.countAdminTokens()) > 0) return { tokenId: null, created: false, revoked: [] };
  const secret = generateAdminToken(deps);
  const result = await replaceBootstrap(deps, "generated", secret, []);
  if (!result.ok) throw new Error(`could not store the bootstrap admin token: ${result.conflict}`);
  return { token: secret, tokenId: result.tokenId ?? null, created: true, revoked: [] };
}

async function liveBootstrapTokens(deps: ServiceDeps): Promise<AdminToken[]> {
  const found: AdminToken[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await deps.store.listAdminTokens({ after, limit: TOKEN_SCAN_PAGE });
    for (const token of page)
      if (token.createdBy === BOOTSTRAP_ISSUER && token.revokedAt === null) found.push(token);
    if (page.length < TOKEN_SCAN_PAGE) return found;
    after = page.at(-1)?.id;
  }
}

/** Stores `secret` (if any) as the bootstrap token and revokes `stale`, in one transaction. */
async function replaceBootstrap(
  deps: ServiceDeps,
  source: "env" | "generated",
  secret: string | null,
  stale: readonly AdminToken[],
): Promise<{ ok: true; tokenId: string | undefined } | { ok: false; conflict: string }> {
  const now = deps.clock.now();
  const token: AdminToken | undefined =
    secret === null
      ? undefined
      : {
          id: newId("adm", now, deps.random),
          name: "bootstrap",
          hash: deps.hasher.sha256Hex(secret),
          role: "admin",
          createdAt: now,
          expiresAt: null,
          lastUsedAt: null,
          createdBy: BOOTSTRAP_ISSUER,
          revokedAt: null,
        };
  const result = await deps.store.commit({
    writes: [
      ...(token === undefined ? [] : [{ type: "insertAdminToken" as const, token }]),
      ...stale.map((t) => ({ type: "revokeAdminToken" as const, id: t.id, revokedAt: now })),
    ],
    audit: [
      ...(token === undefined
        ? []
        : [
            {
              at: now,
              actor: BOOTSTRAP_ACTOR,
              action: "admin_token.create",
              targetType: "admin_token" as const,
              targetId: token.id,
              data: { name: token.name, role: token.role, source },
            },
          ]),
      ...stale.map((t) => ({
        at: now,
        actor: BOOTSTRAP_ACTOR,
        action: "admin_token.revoke",
        targetType: "admin_token" as const,
        targetId: t.id,
        data: { name: t.name, role: t.role, reason: "bootstrap_replaced" },
      })),
    ],
    events: [],
  });
  return result.ok ? { ok: true, tokenId: token?.id } : { ok: false, conflict: result.conflict };
}
