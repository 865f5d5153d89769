import type { ConsumerView, MailView, Page } from "../../api/types.ts";
import { Card } from "../../components/card.tsx";
import { EmptyState } from "../../components/empty-state.tsx";
import { Loadable } from "../../components/loadable.tsx";
import { useTail } from "../../hooks/use-tail.ts";
import { useApi } from "../../session/session-context.ts";
import { MailTable } from "./mail-table.tsx";

/** The newest mail kept on the page; older mail stays in the API (paged with `after`). */
const KEPT = 100;

export interface ConsumerMailProps {
  readonly consumer: ConsumerView;
}

/** The consumer's mail and how its delivery went, read again while it changes (queued → sent or failed). */
export function ConsumerMail({ consumer }: ConsumerMailProps) {
  const api = useApi();
  const base = `/v1/consumers/${encodeURIComponent(consumer.id)}/mail`;
  const mail = useTail<MailView>(
    `mail:${consumer.id}`,
    (after, signal) => api.get<Page<MailView>>(base, { after, limit: KEPT }, signal),
    { cursorOf: (item) => item.id, maxItems: KEPT, mutable: true },
  );
  return (
    <Card title="Mail">
      <Loadable polled={mail} label="mail" optional>
        {(list) =>
          list.length === 0 ? (
            <EmptyState title="No mail sent to this consumer yet">
              {consumer.email === null
                ? "It has no email address: set one with Edit email to send key notices and sign-in links."
                : `Key notices and sign-in links to ${consumer.email} appear here with their delivery state.`}
            </EmptyState>
          ) : (
            <MailTable mail={[...list].reverse()} />
          )
        }
      </Loadable>
    </Card>
  );
}
