import { usePageVisible } from "../hooks/use-page-visible.ts";
import type { Polled } from "../hooks/use-polling.ts";
import { formatTime } from "../lib/format.ts";

export interface LiveNoteProps {
  readonly polled: Polled<unknown>;
}

/** Says that the page refreshes by itself, and when it last did. */
export function LiveNote({ polled }: LiveNoteProps) {
  const visible = usePageVisible();
  const at = polled.updatedAt;
  return (
    <span className="live-note">
      <span className={`live-dot ${visible ? "" : "paused"}`} aria-hidden="true" />
      {visible ? "Live" : "Paused while the tab is hidden"}
      {at === undefined ? null : (
        <>
          {" · updated "}
          <time dateTime={new Date(at).toISOString()}>{formatTime(at)}</time>
        </>
      )}
    </span>
  );
}
