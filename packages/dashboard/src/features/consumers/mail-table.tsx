import type { MailView } from "../../api/types.ts";
import { StatusBadge } from "../../components/status-badge.tsx";
import { TimeAgo } from "../../components/time-ago.tsx";
import { mailKindLabel, mailState } from "./mail-kinds.ts";

export interface MailTableProps {
  /** Newest first. */
  readonly mail: readonly MailView[];
}

function Delivery({ mail }: { readonly mail: MailView }) {
  const state = mailState(mail);
  if (state === "sent")
    return (
      <>
        sent <TimeAgo at={mail.sentAt} never="—" />
      </>
    );
  if (state === "failed") return <span className="muted">gave up</span>;
  return (
    <>
      {state === "retrying" ? "next try " : "due "}
      <TimeAgo at={mail.nextAttemptAt} never="now" />
    </>
  );
}

/** Mail to one consumer with its delivery state; bodies are never shown (the API does not send them). */
export function MailTable({ mail }: MailTableProps) {
  return (
    <div className="table-wrap">
      <table className="table mail-table">
        <caption className="visually-hidden">Mail to this consumer, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Mail</th>
            <th scope="col">To</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Queued</th>
            <th scope="col">Delivery</th>
          </tr>
        </thead>
        <tbody>
          {mail.map((item) => {
            const state = mailState(item);
            return (
              <tr key={item.id} data-mail-id={item.id}>
                <th scope="row" className="wrap">
                  {mailKindLabel(item.kind)}
                  <div className="muted small mail-subject">{item.subject}</div>
                </th>
                <td className="wrap">{item.to}</td>
                <td className="wrap">
                  <StatusBadge status={state} />
                  {/* The SMTP reply matters while retrying as much as after giving up. */}
                  {item.lastError === null || state === "sent" ? null : (
                    <div className="field-error small mail-error">{item.lastError}</div>
                  )}
                </td>
                <td className="numeric">{item.attempts}</td>
                <td>
                  <TimeAgo at={item.createdAt} />
                </td>
                <td>
                  <Delivery mail={item} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
