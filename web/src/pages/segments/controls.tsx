/**
 * Small controls the builder (and the campaign composer) share: a value that settles after a
 * pause in typing, a list typed as comma-separated text, a number that may be empty, and a
 * group of checkboxes.
 */
import { useEffect, useId, useState } from 'react';
import { splitList } from './model';

/** The value once it has stayed the same for `ms` (a live count without a request per key). */
export function useDebounced<T>(value: T, ms = 350): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** A list typed as text ("CN, US"): the text stays as typed while the list follows it. */
export function ListInput({
  id,
  value,
  onChange,
  parse = (s) => s,
  disabled,
  describedBy,
  invalid,
}: {
  id: string;
  value: readonly (string | number)[];
  onChange: (values: (string | number)[]) => void;
  parse?: (item: string) => string | number;
  disabled?: boolean;
  describedBy?: string;
  invalid?: boolean;
}) {
  const joined = value.join(', ');
  const [text, setText] = useState(joined);
  // Follow changes made elsewhere (a reset), not the ones this input made itself.
  useEffect(() => {
    setText((current) => (splitList(current).map(parse).join(', ') === joined ? current : joined));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- parse is a plain mapping
  }, [joined]);
  return (
    <input
      id={id}
      type="text"
      value={text}
      disabled={disabled}
      aria-describedby={describedBy}
      aria-invalid={invalid || undefined}
      onChange={(e) => {
        setText(e.target.value);
        onChange(splitList(e.target.value).map(parse));
      }}
    />
  );
}

export function NumberInput({
  id,
  value,
  onChange,
  min,
  max,
  step,
  disabled,
  describedBy,
}: {
  id: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  min?: number;
  max?: number;
  step?: number | 'any';
  disabled?: boolean;
  describedBy?: string;
}) {
  return (
    <input
      id={id}
      type="number"
      inputMode="decimal"
      value={value ?? ''}
      min={min}
      max={max}
      step={step}
      disabled={disabled}
      aria-describedby={describedBy}
      onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
    />
  );
}

/** Checkboxes in a fieldset: the legend names the group for screen readers. */
export function CheckboxGroup<T extends string>({
  legend,
  options,
  value,
  onChange,
  label,
  disabled,
}: {
  legend: string;
  options: readonly T[];
  value: readonly T[];
  onChange: (value: T[]) => void;
  label: (option: T) => string;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <fieldset className="segments-checks">
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option} htmlFor={`${id}-${option}`}>
          <input
            id={`${id}-${option}`}
            type="checkbox"
            checked={value.includes(option)}
            disabled={disabled}
            onChange={(e) =>
              onChange(
                e.target.checked
                  ? options.filter((o) => o === option || value.includes(o))
                  : value.filter((v) => v !== option),
              )
            }
          />
          {label(option)}
        </label>
      ))}
    </fieldset>
  );
}
