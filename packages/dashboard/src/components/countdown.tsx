import { useNow } from "../hooks/use-now.ts";
import { formatDateTime, formatDuration } from "../lib/format.ts";

export interface CountdownProps {
  readonly to: string;
  /** Shown once the moment has passed. Default "passed". */
  readonly passed?: string;
}

/** Time left until `to`, ticking every second; the exact moment is in the tooltip and `dateTime`. */
export function Countdown({ to, passed = "passed" }: CountdownProps) {
  const now = useNow();
  const left = Date.parse(to) - now;
  return (
    <time className="countdown" dateTime={to} title={formatDateTime(to)}>
      {left > 0 ? formatDuration(left) : passed}
    </time>
  );
}
