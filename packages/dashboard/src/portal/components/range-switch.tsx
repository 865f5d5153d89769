import { USAGE_RANGES, type UsageRange } from "../lib/usage-ranges.ts";

export interface RangeSwitchProps {
  readonly value: UsageRange;
  readonly onChange: (range: UsageRange) => void;
}

/** Two toggle buttons (aria-pressed) choosing the chart's period. */
export function RangeSwitch({ value, onChange }: RangeSwitchProps) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form fieldset.
    <div className="range-switch" role="group" aria-label="Period">
      {(Object.keys(USAGE_RANGES) as UsageRange[]).map((range) => (
        <button
          key={range}
          type="button"
          className="range-option"
          aria-pressed={range === value}
          onClick={() => onChange(range)}
        >
          {USAGE_RANGES[range].label}
        </button>
      ))}
    </div>
  );
}
