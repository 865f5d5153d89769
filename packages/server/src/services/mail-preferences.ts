import type { Consumer, MailKind } from "@keygate/core";
import { OPTIONAL_MAIL_KINDS } from "../mail/mail-kinds.ts";
import { auditEntry, commitOrConflict, type ServiceDeps } from "./service-deps.ts";

/** Which optional kinds of mail the consumer receives (security mail is not listed: it always goes out). */
export async function mailPreferences(
  deps: ServiceDeps,
  consumerId: string,
): Promise<Record<string, boolean>> {
  const off = (await deps.store.mailOptOuts([consumerId])).get(consumerId) ?? [];
  return Object.fromEntries(OPTIONAL_MAIL_KINDS.map((kind) => [kind, !off.includes(kind)]));
}

/** Turns optional kinds of mail on or off for the consumer; kinds not named keep their setting. */
export async function setMailPreferences(
  deps: ServiceDeps,
  consumer: Consumer,
  changes: Readonly<Partial<Record<MailKind, boolean>>>,
): Promise<Record<string, boolean>> {
  const current = await mailPreferences(deps, consumer.id);
  const next = { ...current };
  for (const kind of OPTIONAL_MAIL_KINDS) {
    const wanted = changes[kind];
    if (wanted !== undefined) next[kind] = wanted;
  }
  const now = deps.clock.now();
  const kinds = OPTIONAL_MAIL_KINDS.filter((kind) => next[kind] === false);
  await commitOrConflict(
    deps,
    {
      writes: [{ type: "setMailOptOut", consumerId: consumer.id, kinds }],
      audit: [
        auditEntry(
          now,
          { type: "consumer", id: consumer.id },
          "consumer.mail_preferences",
          "consumer",
          consumer.id,
          {
            off: kinds,
          },
        ),
      ],
      events: [],
    },
    "mail preferences",
  );
  return next;
}
