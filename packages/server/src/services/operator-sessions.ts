import type { Actor, AdminRole, OperatorSession } from "@keygate/core";
import { KeygateError, newId } from "@keygate/core";
import { auditEntry, commitOrConflict, type ServiceDeps } from "./service-deps.ts";

/** The person behind a dashboard session, as the identity provider vouched for them. */
export interface SignedInPerson {
  /** The provider's `sub`. */
  readonly subject: string;
  readonly email: string;
  readonly role: AdminRole;
}

/** The audit actor of a signed-in person: a stable id from the provider's subject, their email to read. */
export function operatorActor(session: Pick<OperatorSession, "subject" | "email">): Actor {
  return { type: "admin", id: `sso:${session.subject}`, name: session.email };
}

function randomHex(deps: Pick<ServiceDeps, "random">): string {
  return Buffer.from(deps.random.bytes(32)).toString("hex");
}

/**
 * Opens a dashboard session for a person the provider signed in (audited as
 * `operator_session.create` by that person). Returns the cookie's token
 * (`kgo_` + 256 random bits; only its SHA-256 is stored) and the session.
 */
export async function startOperatorSession(
  deps: ServiceDeps,
  person: SignedInPerson,
  ttlMs: number,
): Promise<{ token: string; session: OperatorSession }> {
  const now = deps.clock.now();
  const token = `kgo_${randomHex(deps)}`;
  const session: OperatorSession = {
    id: newId("ops", now, deps.random),
    hash: deps.hasher.sha256Hex(token),
    subject: person.subject,
    email: person.email,
    role: person.role,
    csrfToken: randomHex(deps),
    createdAt: now,
    expiresAt: now + ttlMs,
    endedAt: null,
  };
  await commitOrConflict(
    deps,
    {
      writes: [{ type: "insertOperatorSession", session }],
      audit: [
        auditEntry(now, operatorActor(session), "operator_session.create", "operator_session", session.id, {
          role: session.role,
          expiresAt: session.expiresAt,
        }),
      ],
      events: [],
    },
    "operator session",
  );
  return { token, session };
}

/**
 * The live session behind a cookie token, read from the store on every call
 * (no cache), so a logout on one node holds on every node at once.
 * Throws `UNAUTHENTICATED` for an unknown, ended or expired one.
 */
export async function findLiveOperatorSession(deps: ServiceDeps, token: string): Promise<OperatorSession> {
  let session: OperatorSession | null;
  try {
    session = await deps.store.findOperatorSession(deps.hasher.sha256Hex(token));
  } catch {
    throw new KeygateError(
      "STORE_UNAVAILABLE",
      "cannot check the dashboard session: the store is unavailable",
    );
  }
  if (session === null) throw new KeygateError("UNAUTHENTICATED", "dashboard session not recognised");
  const now = deps.clock.now();
  if (session.endedAt !== null)
    throw new KeygateError("UNAUTHENTICATED", "dashboard session ended (signed out)");
  if (session.expiresAt <= now)
    throw new KeygateError("UNAUTHENTICATED", "dashboard session expired; sign in again");
  return session;
}

/** Ends a session (logout), audited as `operator_session.end` by its person. Ending an ended one changes nothing. */
export async function endOperatorSession(deps: ServiceDeps, session: OperatorSession): Promise<void> {
  if (session.endedAt !== null) return;
  const now = deps.clock.now();
  await commitOrConflict(
    deps,
    {
      writes: [{ type: "endOperatorSession", id: session.id, endedAt: now }],
      audit: [
        auditEntry(now, operatorActor(session), "operator_session.end", "operator_session", session.id, {}),
      ],
      events: [],
    },
    "operator session",
  );
}
