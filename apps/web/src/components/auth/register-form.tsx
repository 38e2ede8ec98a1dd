'use client';

import { useRef, useState, type FormEvent } from 'react';
import Link from 'next/link';
import { ErrorCode } from '@chat/shared';
import { ApiError, describeError } from '@/lib/api-client';
import {
  fieldErrorsFrom,
  validateDisplayName,
  validatePassword,
  validateUsername,
} from '@/lib/validation';
import { useChat } from '@/components/providers/chat-provider';
import { Field, FormError, UsernameField, useFocusFirstInvalid } from './field';

const FIELDS = ['username', 'displayName', 'password'] as const;
type Fields = (typeof FIELDS)[number];

/**
 * The sign-up form. Validates as LIMITS says before sending; maps USERNAME_TAKEN and VALIDATION_FAILED
 * details back onto the fields, anything else into an alert.
 */
export function RegisterForm() {
  const { session } = useChat();
  const [values, setValues] = useState<Record<Fields, string>>({
    username: '',
    displayName: '',
    password: '',
  });
  const [errors, setErrors] = useState<Partial<Record<Fields, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, errors);

  const set = (field: Fields) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [field]: e.target.value }));

  function check(): Partial<Record<Fields, string>> {
    const out: Partial<Record<Fields, string>> = {};
    const u = validateUsername(values.username);
    const d = validateDisplayName(values.displayName, false);
    const p = validatePassword(values.password);
    if (u) out.username = u;
    if (d) out.displayName = d;
    if (p) out.password = p;
    return out;
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFormError(null);
    const found = check();
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const displayName = values.displayName.trim();
      await session.getState().register({
        username: values.username.trim(),
        password: values.password,
        ...(displayName ? { displayName } : {}),
      });
    } catch (error) {
      if (error instanceof ApiError && error.code === ErrorCode.USERNAME_TAKEN) {
        setErrors({ username: 'That username is already taken.' });
      } else if (error instanceof ApiError && error.code === ErrorCode.VALIDATION_FAILED) {
        const byField = fieldErrorsFrom(error.details, FIELDS);
        setErrors(byField);
        if (Object.keys(byField).length === 0) setFormError(error.message);
      } else {
        setFormError(describeError(error));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      ref={formRef}
      className="auth-form"
      onSubmit={onSubmit}
      noValidate
      aria-labelledby="register-title"
    >
      <h1 id="register-title">Create your account</h1>
      <p className="auth-sub">Pick a username people can find you by.</p>
      <FormError message={formError} />
      <UsernameField
        value={values.username}
        onChange={set('username')}
        error={errors.username}
        hint="3–32 letters, digits, . _ -"
      />
      <Field
        id="displayName"
        label="Display name (optional)"
        autoComplete="name"
        value={values.displayName}
        onChange={set('displayName')}
        error={errors.displayName}
      />
      <Field
        id="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        value={values.password}
        onChange={set('password')}
        error={errors.password}
        hint="At least 8 characters."
      />
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Creating account…' : 'Create account'}
      </button>
      <p className="auth-switch">
        Already have an account? <Link href="/login">Sign in</Link>
      </p>
    </form>
  );
}
