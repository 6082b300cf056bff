import { useId, type SelectHTMLAttributes } from "react";

export interface SelectFieldProps extends SelectHTMLAttributes<HTMLSelectElement> {
  label: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  errors?: string[];
  hint?: string;
}

export function SelectField({ label, options, errors, hint, id, className = "", ...rest }: SelectFieldProps) {
  const generatedId = useId();
  const fieldId = id ?? generatedId;
  const invalid = Boolean(errors?.length);
  const describedBy = [invalid ? `${fieldId}-error` : null, hint ? `${fieldId}-hint` : null].filter(Boolean).join(" ");
  return (
    <div className={className}>
      <label htmlFor={fieldId} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        id={fieldId}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy || undefined}
        className="mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
        {...rest}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint ? (
        <p id={`${fieldId}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {invalid ? (
        <p id={`${fieldId}-error`} className="mt-1 text-sm text-red-600">
          {errors?.join(" ")}
        </p>
      ) : null}
    </div>
  );
}
