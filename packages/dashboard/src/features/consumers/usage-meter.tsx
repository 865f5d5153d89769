import { type ReactNode, useId } from "react";
import { formatNumber } from "../../lib/format.ts";

export interface UsageMeterProps {
  readonly label: string;
  readonly used: number;
  readonly limit: number;
  readonly reset: ReactNode;
}

/** Used against a limit, as a native meter with the numbers in text beside it. */
export function UsageMeter({ label, used, limit, reset }: UsageMeterProps) {
  const id = useId();
  const share = limit > 0 ? used / limit : 0;
  return (
    <div className="meter">
      <div className="meter-label">
        <span id={id}>{label}</span>
        <span>
          {formatNumber(used)} / {formatNumber(limit)}
        </span>
      </div>
      <meter
        aria-labelledby={id}
        min={0}
        max={limit}
        low={limit * 0.7}
        high={limit * 0.9}
        optimum={0}
        value={used}
      >
        {Math.round(share * 100)}%
      </meter>
      <div className="meter-reset muted">Resets in {reset}</div>
    </div>
  );
}
