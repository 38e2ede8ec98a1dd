'use client';

import { useEffect, useRef, type InputHTMLAttributes, type RefObject } from 'react';

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  id: string;
  label: string;
  error?: string | null | undefined;
  hint?: string;
}

/** A labelled input with its error announced to assistive technology (`aria-invalid`, `aria-describedby`). */
export function Field({ id, label, error, hint, ...input }: FieldProps) {
  const describedBy =
    [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') ||
    undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...input}
      />
      {hint && !error ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The form-level error (server answer that belongs to no field), announced as an alert; nothing when null.
 * It takes the focus when it appears: the submit button that had it is disabled while the request runs, which
 * would otherwise leave the focus on the page body.
 */
export function FormError({ message }: { message: string | null }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (message) ref.current?.focus();
  }, [message]);
  return message ? (
    <div ref={ref} role="alert" className="form-error" tabIndex={-1}>
      {message}
    </div>
  ) : null;
}

/**
 * Moves the focus to the first input of `form` marked `aria-invalid` whenever `errors` (the form's field errors,
 * by field name) changes and holds at least one, so a keyboard or screen reader user lands on what to fix.
 */
export function useFocusFirstInvalid(
  form: RefObject<HTMLFormElement | null>,
  errors: Partial<Record<string, string>>,
): void {
  useEffect(() => {
    if (Object.keys(errors).length === 0) return;
    form.current?.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
  }, [form, errors]);
}

type UsernameFieldProps = Omit<FieldProps, 'id' | 'label'>;

/**
 * The `username` input of the sign-in and sign-up forms: focused first, no autocapitalising or spell check (a
 * username is an identifier). Other props (value, onChange, error, hint) go to Field.
 */
export function UsernameField(props: UsernameFieldProps) {
  return (
    <Field
      id="username"
      label="Username"
      autoComplete="username"
      autoCapitalize="none"
      spellCheck={false}
      autoFocus
      {...props}
    />
  );
}
