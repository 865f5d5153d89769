import type {
  MailFilter,
  MailKind,
  MailMessage,
  MailOutcome,
  PortalSession,
  PortalToken,
  PortalWrite,
} from "@keygate/core";

/** The memory store's portal rows; copied per commit like the rest of its state. */
export interface PortalTables {
  readonly tokens: Map<string, PortalToken>;
  readonly sessions: Map<string, PortalSession>;
  readonly mail: Map<string, MailMessage>;
  readonly optOut: Map<string, readonly MailKind[]>;
}

export function emptyPortalTables(): PortalTables {
  return { tokens: new Map(), sessions: new Map(), mail: new Map(), optOut: new Map() };
}

export function clonePortalTables(t: PortalTables): PortalTables {
  return {
    tokens: new Map(t.tokens),
    sessions: new Map(t.sessions),
    mail: new Map(t.mail),
    optOut: new Map(t.optOut),
  };
}

/** Applies one portal write to `t` (a commit's copy); returns the conflict, or null. */
export function applyPortalWrite(t: PortalTables, write: PortalWrite): string | null {
  switch (write.type) {
    case "insertPortalToken": {
      const token = write.token;
      if (t.tokens.has(token.id) || [...t.tokens.values()].some((o) => o.hash === token.hash))
        return `portal link ${token.id} exists`;
      t.tokens.set(token.id, token);
      return null;
    }
    case "redeemPortalToken": {
      const token = t.tokens.get(write.id);
      if (!token || token.usedAt !== null || !(write.usedAt < token.expiresAt))
        return `portal link ${write.id} is spent or expired`;
      t.tokens.set(token.id, { ...token, usedAt: write.usedAt });
      return null;
    }
    case "insertPortalSession": {
      const session = write.session;
      if (t.sessions.has(session.id) || [...t.sessions.values()].some((o) => o.hash === session.hash))
        return `portal session ${session.id} exists`;
      t.sessions.set(session.id, session);
      return null;
    }
    case "endPortalSessions": {
      for (const s of t.sessions.values()) {
        if (s.consumerId !== write.consumerId || s.endedAt !== null) continue;
        if (write.sessionId !== undefined && s.id !== write.sessionId) continue;
        t.sessions.set(s.id, { ...s, endedAt: write.endedAt });
      }
      return null;
    }
    case "insertMail": {
      const m = write.mail;
      if (m.dedupeKey !== null && [...t.mail.values()].some((o) => o.dedupeKey === m.dedupeKey)) return null;
      if (t.mail.has(m.id)) return `mail ${m.id} exists`;
      t.mail.set(m.id, {
        ...m,
        status: "queued",
        attempts: 0,
        nextAttemptAt: m.createdAt,
        lastError: null,
        sentAt: null,
      });
      return null;
    }
    case "setMailOptOut": {
      t.optOut.set(write.consumerId, [...new Set(write.kinds)].sort());
      return null;
    }
  }
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function claimMail(t: PortalTables, now: number, limit: number, leaseMs: number): MailMessage[] {
  const due = [...t.mail.values()]
    .filter((m) => m.status === "queued" && m.nextAttemptAt !== null && m.nextAttemptAt <= now)
    .sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0) || byId(a, b))
    .slice(0, Math.max(0, limit));
  return due.map((m) => {
    const claimed = { ...m, attempts: m.attempts + 1, nextAttemptAt: now + leaseMs };
    t.mail.set(m.id, claimed);
    return claimed;
  });
}

export function recordMailOutcome(t: PortalTables, o: MailOutcome): void {
  const m = t.mail.get(o.id);
  if (!m || m.attempts !== o.expectAttempts || m.status !== "queued") return;
  const done = o.status !== "retry";
  const erase = done && m.kind === "sign_in";
  t.mail.set(m.id, {
    ...m,
    status: o.status === "retry" ? "queued" : o.status,
    nextAttemptAt: o.status === "retry" ? o.nextAttemptAt : null,
    lastError: o.error,
    sentAt: o.status === "sent" ? o.at : null,
    text: erase ? "" : m.text,
    html: erase ? "" : m.html,
  });
}

export function listMail(t: PortalTables, filter: MailFilter): MailMessage[] {
  return [...t.mail.values()]
    .filter((m) => filter.consumerId === undefined || m.consumerId === filter.consumerId)
    .filter((m) => filter.after === undefined || m.id > filter.after)
    .sort(byId)
    .slice(0, filter.limit);
}

/** See `RetentionStore.prunePortalRecords`. */
export function prunePortalRecords(t: PortalTables, before: number, limit: number): number {
  const take = <T extends { id: string }>(rows: Map<string, T>, old: (row: T) => boolean): number => {
    const doomed = [...rows.values()].filter(old).slice(0, limit);
    for (const row of doomed) rows.delete(row.id);
    return doomed.length;
  };
  return Math.max(
    take(t.mail, (m) => m.status !== "queued" && m.createdAt < before),
    take(t.sessions, (s) => (s.endedAt !== null && s.endedAt < before) || s.expiresAt < before),
    take(t.tokens, (k) => k.expiresAt < before),
  );
}
