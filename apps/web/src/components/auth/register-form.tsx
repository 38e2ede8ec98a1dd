'use client';

import { useEffect, useRef, useState, type FormEvent } from 'react';
import Link from 'next/link';
import { ErrorCode, type RegistrationMode } from '@chat/shared';
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

/** The invite token of an invite link (`/register?invite=<token>`), or null. */
function inviteFromUrl(): string | null {
  if (typeof window === 'undefined') return null;
  const token = new URLSearchParams(window.location.search).get('invite');
  return token && /^[A-Za-z0-9_-]{1,128}$/.test(token) ? token : null;
}

/**
 * The sign-up form. Validates as LIMITS says before sending; maps USERNAME_TAKEN and VALIDATION_FAILED
 * details back onto the fields, anything else into an alert. Follows the server's registration mode
 * (GET /api/instance): closed and invite-only show a notice above the form; the invite link's token is sent as
 * `inviteToken`. The form stays, because the server decides (the very first account of a server may always
 * register) and answers REGISTRATION_CLOSED or INVITE_INVALID, shown as the form's error.
 */
export function RegisterForm() {
  const { session, api } = useChat();
  const [mode, setMode] = useState<RegistrationMode | null>(null);
  useEffect(() => {
    api.instanceInfo().then(
      (info) => setMode(info.registrationMode),
      () => setMode('open'),
    );
  }, [api]);
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
    // Read at the moment of sending, not with the registration mode: a quick submit (or the browser's autofill)
    // before the mode has arrived must still carry the invite link's token.
    const inviteToken = inviteFromUrl();
    try {
      const displayName = values.displayName.trim();
      await session.getState().register({
        username: values.username.trim(),
        password: values.password,
        ...(displayName ? { displayName } : {}),
        ...(inviteToken ? { inviteToken } : {}),
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
      {mode === 'closed' ? (
        <p className="notice" role="status" data-testid="registration-notice">
          Registration is closed on this server. Ask its administrator for an account.
        </p>
      ) : null}
      {mode === 'invite-only' ? (
        <p className="notice" role="status" data-testid="registration-notice">
          {/* mode is only known after mount, so the URL can be read here without a hydration mismatch */}
          {inviteFromUrl()
            ? 'You are joining with an invite link.'
            : 'This server is invite-only: open the invite link you were given.'}
        </p>
      ) : null}
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
        hint="At least 8 characters; commonly used passwords are refused."
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
