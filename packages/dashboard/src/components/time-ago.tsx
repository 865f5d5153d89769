import { useNow } from "../hooks/use-now.ts";
import { formatDateTime, formatRelative } from "../lib/format.ts";

export interface TimeAgoProps {
  readonly at: string | null;
  /** Shown when there is no time. Default "never". */
  readonly never?: string;
}

export function TimeAgo({ at, never = "never" }: TimeAgoProps) {
  const now = useNow(5_000);
  if (at === null) return <span className="muted">{never}</span>;
  return (
    <time dateTime={at} title={formatDateTime(at)}>
      {formatRelative(at, now)}
    </time>
  );
}
