import type { AdminToken } from "@keygate/core";
import { BASE62_ALPHABET, newId } from "@keygate/core";
import type { ServiceDeps } from "../services/service-deps.ts";

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
}

/**
 * Makes sure an operator can reach the admin API. An env token is stored (as
 * its hash, role `root`) unless it already is; with no env token and no token
 * at all, one is generated and returned exactly once. The audit entry never
 * holds the token.
 */
export async function ensureBootstrapToken(options: BootstrapOptions): Promise<BootstrapResult> {
  const { deps, envToken } = options;
  if (envToken !== undefined) {
    if (envToken.trim() === "") throw new Error("KEYGATE_ADMIN_TOKEN is empty");
    const existing = await deps.store.findAdminTokenByHash(deps.hasher.sha256Hex(envToken));
    if (existing !== null) {
      if (existing.revokedAt !== null)
        throw new Error(`KEYGATE_ADMIN_TOKEN names revoked admin token ${existing.id}`);
      return { tokenId: existing.id, created: false };
    }
    const token = await insertRootToken(deps, envToken, "env");
    return { tokenId: token.id, created: true };
  }
  if ((await deps.store.countAdminTokens()) > 0) return { tokenId: null, created: false };
  const secret = generateAdminToken(deps);
  const token = await insertRootToken(deps, secret, "generated");
  return { token: secret, tokenId: token.id, created: true };
}

async function insertRootToken(
  deps: ServiceDeps,
  secret: string,
  source: "env" | "generated",
): Promise<AdminToken> {
  const now = deps.clock.now();
  const token: AdminToken = {
    id: newId("adm", now, deps.random),
    name: "bootstrap",
    hash: deps.hasher.sha256Hex(secret),
    role: "root",
    createdAt: now,
    revokedAt: null,
  };
  const result = await deps.store.commit({
    writes: [{ type: "insertAdminToken", token }],
    audit: [
      {
        at: now,
        actor: { type: "system", id: "bootstrap" },
        action: "admin_token.create",
        targetType: "admin_token",
        targetId: token.id,
        data: { name: token.name, role: token.role, source },
      },
    ],
    events: [],
  });
  if (!result.ok) throw new Error(`could not store the bootstrap admin token: ${result.conflict}`);
  return token;
}
