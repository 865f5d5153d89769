import type { AdminToken, AdminTokenTouch, OperatorSession, OperatorWrite } from "@keygate/core";

/** Applies one operator-access write to a commit's copy of the tables; returns the conflict, or null. */
export function applyOperatorWrite(
  tokens: Map<string, AdminToken>,
  sessions: Map<string, OperatorSession>,
  write: OperatorWrite,
): string | null {
  switch (write.type) {
    case "revokeAdminToken": {
      const token = tokens.get(write.id);
      if (token === undefined || token.revokedAt !== null)
        return `admin token ${write.id} is unknown or revoked`;
      tokens.set(token.id, { ...token, revokedAt: write.revokedAt });
      return null;
    }
    case "insertOperatorSession": {
      const session = write.session;
      if (sessions.has(session.id) || [...sessions.values()].some((o) => o.hash === session.hash))
        return `operator session ${session.id} exists`;
      sessions.set(session.id, session);
      return null;
    }
    case "endOperatorSession": {
      const session = sessions.get(write.id);
      if (session !== undefined && session.endedAt === null)
        sessions.set(session.id, { ...session, endedAt: write.endedAt });
      return null;
    }
  }
}

/** Moves each touched token's `lastUsedAt` forward, never back. */
export function touchAdminTokens(tokens: Map<string, AdminToken>, touches: readonly AdminTokenTouch[]): void {
  for (const touch of touches) {
    const token = tokens.get(touch.id);
    if (token !== undefined && (token.lastUsedAt === null || token.lastUsedAt < touch.lastUsedAt))
      tokens.set(token.id, { ...token, lastUsedAt: touch.lastUsedAt });
  }
}
