import type { Actor, Consumer, MailInput, PortalSession } from "@keygate/core";
import { KeygateError, newId } from "@keygate/core";
import type { MailTemplates } from "../mail/mail-templates.ts";
import { getConsumerOrThrow } from "./consumers.ts";
import { auditEntry, commitOrConflict, type ServiceDeps } from "./service-deps.ts";

/** A magic link by mail works this long (contract: 15 minutes). */
export const EMAIL_LINK_TTL_SECONDS = 900;
/** Hand-off links: 15 minutes unless asked otherwise, at most a day. */
export const HANDOFF_LINK_DEFAULT_TTL_SECONDS = 900;
export const HANDOFF_LINK_MAX_TTL_SECONDS = 86_400;

/** The one answer for every link that cannot be spent: unknown, used, expired or for a disabled consumer. */
const LINK_REFUSED = "This sign-in link is unknown, already used or expired. Request a new one.";

/** A random token with a recognisable prefix (`kgl_` links, `kgs_` sessions): 256 bits, hex. */
function randomToken(deps: Pick<ServiceDeps, "random">, prefix: "kgl_" | "kgs_" | ""): string {
  return prefix + Buffer.from(deps.random.bytes(32)).toString("hex");
}

function portalActor(consumerId: string): Actor {
  return { type: "consumer", id: consumerId };
}

/**
 * A one-time portal sign-in link for a consumer, made by the provider
 * (`POST /v1/consumers/{id}/portal-links`): its backend has already
 * authenticated the user and redirects them to `url`.
 */
export async function createPortalLink(
  deps: ServiceDeps,
  actor: Actor,
  consumerId: string,
  options: { ttlSeconds: number; portalUrl: string },
) {
  const consumer = await getConsumerOrThrow(deps, consumerId);
  if (consumer.disabled) throw new KeygateError("CONFLICT", `consumer ${consumerId} is disabled`);
  const now = deps.clock.now();
  const token = randomToken(deps, "kgl_");
  const id = newId("ptk", now, deps.random);
  const expiresAt = now + options.ttlSeconds * 1000;
  await commitOrConflict(
    deps,
    {
      writes: [
        {
          type: "insertPortalToken",
          token: {
            id,
            consumerId,
            hash: deps.hasher.sha256Hex(token),
            purpose: "handoff",
            createdAt: now,
            expiresAt,
            usedAt: null,
          },
        },
      ],
      audit: [
        auditEntry(now, actor, "consumer.portal_link", "consumer", consumerId, { linkId: id, expiresAt }),
      ],
      events: [],
    },
    "portal link",
  );
  return { url: `${options.portalUrl}/login/${token}`, expiresAt };
}

/**
 * A magic link by mail (`POST /portal/v1/login-links`). Says nothing about
 * whether the address is known: an unknown or disabled one returns quietly.
 * The link and its mail commit in one transaction, so a crash after the
 * request loses no mail; the mail sender delivers it.
 */
export async function requestLoginLink(
  deps: ServiceDeps,
  email: string,
  options: { portalUrl: string; templates: MailTemplates },
): Promise<void> {
  const consumer = await deps.store.findConsumerByEmail(email);
  if (consumer === null || consumer.disabled || consumer.email === null) return;
  const now = deps.clock.now();
  const token = randomToken(deps, "kgl_");
  const id = newId("ptk", now, deps.random);
  const expiresAt = now + EMAIL_LINK_TTL_SECONDS * 1000;
  const rendered = options.templates.render("sign_in", {
    consumer: { name: consumer.name },
    link: `${options.portalUrl}/login/${token}`,
    expiresAt: new Date(expiresAt).toUTCString(),
  });
  const mail: MailInput = {
    id: newId("mail", now, deps.random),
    consumerId: consumer.id,
    kind: "sign_in",
    to: consumer.email,
    ...rendered,
    createdAt: now,
    expiresAt,
    dedupeKey: null,
  };
  await commitOrConflict(
    deps,
    {
      writes: [
        {
          type: "insertPortalToken",
          token: {
            id,
            consumerId: consumer.id,
            hash: deps.hasher.sha256Hex(token),
            purpose: "email",
            createdAt: now,
            expiresAt,
            usedAt: null,
          },
        },
        { type: "insertMail", mail },
      ],
      audit: [
        auditEntry(now, portalActor(consumer.id), "consumer.login_link", "consumer", consumer.id, {
          linkId: id,
          mailId: mail.id,
          expiresAt,
        }),
      ],
      events: [],
    },
    "sign-in link",
  );
}

/** A new session: its record, and the cookie token (shown to the browser once, stored hashed). */
export interface StartedSession {
  readonly session: PortalSession;
  readonly cookieToken: string;
  readonly consumer: Consumer;
}

/**
 * Spends a sign-in link on a session, in one transaction: the link's guard
 * (unused, unexpired) is checked on the row as it is then, so a link works
 * once even when two browsers open it at the same moment.
 */
export async function redeemPortalLink(
  deps: ServiceDeps,
  token: string,
  sessionTtlSeconds: number,
): Promise<StartedSession> {
  const refused = new KeygateError("UNAUTHENTICATED", LINK_REFUSED);
  if (!/^kgl_[0-9a-f]{64}$/.test(token)) throw refused;
  const link = await deps.store.findPortalToken(deps.hasher.sha256Hex(token));
  const now = deps.clock.now();
  if (link === null || link.usedAt !== null || now >= link.expiresAt) throw refused;
  const consumer = await deps.store.getConsumer(link.consumerId);
  if (consumer === null || consumer.disabled) throw refused;
  const cookieToken = randomToken(deps, "kgs_");
  const session: PortalSession = {
    id: newId("pss", now, deps.random),
    consumerId: consumer.id,
    hash: deps.hasher.sha256Hex(cookieToken),
    csrfToken: randomToken(deps, ""),
    createdAt: now,
    expiresAt: now + sessionTtlSeconds * 1000,
    endedAt: null,
  };
  const result = await deps.store.commit({
    writes: [
      { type: "redeemPortalToken", id: link.id, usedAt: now },
      { type: "insertPortalSession", session },
    ],
    audit: [
      auditEntry(now, portalActor(consumer.id), "consumer.sign_in", "portal_session", session.id, {
        linkId: link.id,
        via: link.purpose,
        expiresAt: session.expiresAt,
      }),
    ],
    events: [],
  });
  if (!result.ok) throw refused;
  return { session, cookieToken, consumer };
}

/**
 * The consumer behind a session cookie, checked on every request: an ended
 * or expired session, or a disabled consumer, is refused at once (the store
 * is read each time, so a logout or a disable on any node counts everywhere).
 */
export async function authenticatePortalSession(
  deps: ServiceDeps,
  cookieToken: string | undefined,
): Promise<{ session: PortalSession; consumer: Consumer }> {
  const refused = new KeygateError("UNAUTHENTICATED", "Sign in to the portal first.");
  if (cookieToken === undefined || !/^kgs_[0-9a-f]{64}$/.test(cookieToken)) throw refused;
  const session = await deps.store.findPortalSession(deps.hasher.sha256Hex(cookieToken));
  const now = deps.clock.now();
  if (session === null || session.endedAt !== null || now >= session.expiresAt) throw refused;
  const consumer = await deps.store.getConsumer(session.consumerId);
  if (consumer === null || consumer.disabled) throw refused;
  return { session, consumer };
}

/** Logout: the session ends for good (its cookie is refused from now on, on every node). */
export async function endPortalSession(deps: ServiceDeps, session: PortalSession): Promise<void> {
  const now = deps.clock.now();
  await commitOrConflict(
    deps,
    {
      writes: [
        { type: "endPortalSessions", consumerId: session.consumerId, sessionId: session.id, endedAt: now },
      ],
      audit: [
        auditEntry(
          now,
          portalActor(session.consumerId),
          "consumer.sign_out",
          "portal_session",
          session.id,
          {},
        ),
      ],
      events: [],
    },
    "sign-out",
  );
}
