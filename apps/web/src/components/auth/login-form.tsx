'use client';

import { useRef, useState, type FormEvent } from 'react';
import Link from 'next/link';
import { ErrorCode, LIMITS } from '@chat/shared';
import { ApiError, describeError } from '@/lib/api-client';
import { validatePassword, validateUsername } from '@/lib/validation';
import { useChat } from '@/components/providers/chat-provider';
import { Field, FormError, UsernameField, useFocusFirstInvalid } from './field';

type Fields = 'username' | 'password';

/** The sign-in form. Server errors (wrong credentials, rate limit, API down) are shown inline in an alert. */
export function LoginForm() {
  const { session } = useChat();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Fields, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, errors);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFormError(null);
    // Sign-in checks shape only loosely: the wrong-credentials answer must come from the server, and
    // telling "no such user" apart locally would be pointless anyway.
    const next: Partial<Record<Fields, string>> = {};
    if (!username.trim()) next.username = 'Enter your username.';
    else if (validateUsername(username)) next.username = validateUsername(username) ?? undefined;
    if (!password) next.password = 'Enter your password.';
    else if (new TextEncoder().encode(password).length > LIMITS.PASSWORD_MAX_BYTES)
      next.password = validatePassword(password) ?? undefined;
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    setBusy(true);
    try {
      await session.getState().login({ username: username.trim(), password });
    } catch (error) {
      setFormError(
        error instanceof ApiError && error.code === ErrorCode.INVALID_CREDENTIALS
          ? 'Wrong username or password.'
          : describeError(error),
      );
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
      aria-labelledby="login-title"
    >
      <h1 id="login-title">Sign in</h1>
      <p className="auth-sub">Welcome back to Relay.</p>
      <FormError message={formError} />
      <UsernameField
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        error={errors.username}
      />
      <Field
        id="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errors.password}
      />
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      <p className="auth-switch">
        New here? <Link href="/register">Create an account</Link>
      </p>
    </form>
  );
}
