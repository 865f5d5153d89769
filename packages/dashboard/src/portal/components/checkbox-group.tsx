import { type ReactNode, useId } from "react";

/** An option with words of its own; a plain string is its own label. */
export interface CheckboxOption {
  readonly value: string;
  readonly label: string;
  /** One line under the label, read out with the checkbox (aria-describedby). */
  readonly hint?: string;
}

export interface CheckboxGroupProps {
  readonly legend: string;
  readonly options: readonly (string | CheckboxOption)[];
  readonly checked: ReadonlySet<string>;
  readonly onChange: (checked: ReadonlySet<string>) => void;
  readonly hint?: ReactNode;
  readonly error?: string | undefined;
  /** One option per row (options with hints read better that way) instead of two columns. */
  readonly stacked?: boolean;
  readonly disabled?: boolean;
}

function asOption(option: string | CheckboxOption): CheckboxOption {
  return typeof option === "string" ? { value: option, label: option } : option;
}

/** Native checkboxes in a fieldset; the legend names the group, the hint and error describe it. */
export function CheckboxGroup({
  legend,
  options,
  checked,
  onChange,
  hint,
  error,
  stacked = false,
  disabled = false,
}: CheckboxGroupProps) {
  const id = useId();
  const toggle = (option: string, on: boolean) => {
    const next = new Set(checked);
    if (on) next.add(option);
    else next.delete(option);
    onChange(next);
  };
  const describedBy = [hint === undefined ? null : `${id}-hint`, error === undefined ? null : `${id}-error`]
    .filter((part) => part !== null)
    .join(" ");
  return (
    <fieldset
      className="fieldset"
      disabled={disabled}
      aria-describedby={describedBy === "" ? undefined : describedBy}
    >
      <legend className="field-label">{legend}</legend>
      {options.length === 0 ? null : (
        <div className={stacked ? "checkbox-list" : "checkbox-grid"}>
          {options.map(asOption).map((option) => (
            <label key={option.value} className="checkbox" htmlFor={`${id}-${option.value}`}>
              <input
                id={`${id}-${option.value}`}
                type="checkbox"
                checked={checked.has(option.value)}
                aria-describedby={option.hint === undefined ? undefined : `${id}-${option.value}-hint`}
                onChange={(event) => toggle(option.value, event.target.checked)}
              />
              <span>
                {option.label}
                {option.hint === undefined ? null : (
                  <span id={`${id}-${option.value}-hint`} className="radio-hint">
                    {option.hint}
                  </span>
                )}
              </span>
            </label>
          ))}
        </div>
      )}
      {hint === undefined ? null : (
        <p id={`${id}-hint`} className="field-hint fieldset-hint">
          {hint}
        </p>
      )}
      {error === undefined ? null : (
        <p id={`${id}-error`} className="field-error fieldset-hint">
          {error}
        </p>
      )}
    </fieldset>
  );
}
