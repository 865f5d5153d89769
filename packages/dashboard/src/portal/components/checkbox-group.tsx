import { type ReactNode, useId } from "react";

export interface CheckboxGroupProps {
  readonly legend: string;
  readonly options: readonly string[];
  readonly checked: ReadonlySet<string>;
  readonly onChange: (checked: ReadonlySet<string>) => void;
  readonly hint?: ReactNode;
  readonly error?: string | undefined;
}

/** Native checkboxes in a fieldset; the legend names the group, the hint and error describe it. */
export function CheckboxGroup({ legend, options, checked, onChange, hint, error }: CheckboxGroupProps) {
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
    <fieldset className="fieldset" aria-describedby={describedBy === "" ? undefined : describedBy}>
      <legend className="field-label">{legend}</legend>
      {options.length === 0 ? null : (
        <div className="checkbox-grid">
          {options.map((option) => (
            <label key={option} className="checkbox" htmlFor={`${id}-${option}`}>
              <input
                id={`${id}-${option}`}
                type="checkbox"
                checked={checked.has(option)}
                onChange={(event) => toggle(option, event.target.checked)}
              />
              <span>{option}</span>
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
