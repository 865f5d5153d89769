import { type ReactNode, useId } from "react";

export interface RadioGroupProps<V extends string> {
  readonly legend: string;
  readonly name: string;
  readonly value: V;
  readonly options: readonly { readonly value: V; readonly label: string; readonly hint?: string }[];
  readonly onChange: (value: V) => void;
  readonly children?: ReactNode;
}

/** Native radios in a fieldset: arrow keys move between options, the legend names the group. */
export function RadioGroup<V extends string>({
  legend,
  name,
  value,
  options,
  onChange,
  children,
}: RadioGroupProps<V>) {
  const id = useId();
  return (
    <fieldset className="fieldset">
      <legend className="field-label">{legend}</legend>
      <div className="radio-row">
        {options.map((option) => (
          <label key={option.value} className="radio" htmlFor={`${id}-${option.value}`}>
            <input
              id={`${id}-${option.value}`}
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            <span>
              {option.label}
              {option.hint === undefined ? null : <span className="radio-hint">{option.hint}</span>}
            </span>
          </label>
        ))}
      </div>
      {children}
    </fieldset>
  );
}
