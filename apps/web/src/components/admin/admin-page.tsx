'use client';

import { useCallback, useEffect, useId, useState } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { toast } from 'sonner';
import {
  LIMITS,
  REGISTRATION_MODES,
  type AdminUserView,
  type InstanceSettings,
  type Invite,
  type RegistrationMode,
  type Report,
  type ReportStatus,
} from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { useChat, useSession } from '@/components/providers/chat-provider';
import { Avatar } from '@/components/avatar/avatar';
import { useConfirm } from '@/components/confirm/confirm-dialog';

const MODE_LABELS: Record<RegistrationMode, { title: string; hint: string }> = {
  open: { title: 'Open', hint: 'Anyone who reaches this server can create an account.' },
  'invite-only': { title: 'Invite only', hint: 'Only people with an invite link below.' },
  closed: { title: 'Closed', hint: 'Nobody can create an account.' },
};

/**
 * The instance administration page (`/admin`): registration mode, invite links, accounts (search, deactivate,
 * reactivate) and reports. Shown only to instance administrators; the API checks every call again.
 */
export function AdminPage() {
  const status = useSession((s) => s.status);
  const user = useSession((s) => s.user);
  const router = useRouter();
  useEffect(() => {
    if (status === 'signedOut') router.replace('/login');
  }, [status, router]);

  if (status !== 'signedIn' || !user) {
    return (
      <main className="splash" aria-busy="true">
        <p className="splash-note">Loading…</p>
      </main>
    );
  }
  if (!user.instanceAdmin) {
    return (
      <main className="splash">
        <div className="splash-card" role="alert">
          <h1>Administrators only</h1>
          <p>This page is for the administrators of this server.</p>
          <Link href="/c" className="button primary">
            Back to chat
          </Link>
        </div>
      </main>
    );
  }
  return (
    <main className="admin-page">
      <header className="admin-header">
        <Link href="/c" className="button subtle small">
          ← Chat
        </Link>
        <h1>Server administration</h1>
      </header>
      <RegistrationSection />
      <InvitesSection />
      <AccountsSection selfId={user.id} />
      <ReportsSection />
    </main>
  );
}

function RegistrationSection() {
  const { api } = useChat();
  const [settings, setSettings] = useState<InstanceSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.adminSettings().then(setSettings, (e: unknown) => setError(describeError(e)));
  }, [api]);

  async function choose(mode: RegistrationMode) {
    try {
      setSettings(await api.setRegistrationMode(mode));
      toast.success(`Registration is now ${MODE_LABELS[mode].title.toLowerCase()}.`);
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <section className="admin-section" aria-labelledby="admin-registration">
      <h2 id="admin-registration">Registration</h2>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <fieldset className="mode-options" disabled={!settings}>
        <legend className="visually-hidden">Who can create an account</legend>
        {REGISTRATION_MODES.map((mode) => (
          <label key={mode} className="mode-option">
            <input
              type="radio"
              name="registration-mode"
              value={mode}
              checked={settings?.registrationMode === mode}
              onChange={() => void choose(mode)}
            />
            <span>
              <strong>{MODE_LABELS[mode].title}</strong>
              <span className="field-hint">{MODE_LABELS[mode].hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {settings ? (
        <p className="field-hint" data-testid="mode-source">
          {settings.registrationModeSource === 'env'
            ? 'Set by the server configuration (REGISTRATION_MODE) until you choose here.'
            : 'Chosen here; it overrides the server configuration.'}
        </p>
      ) : null}
    </section>
  );
}

function inviteLink(token: string): string {
  return `${window.location.origin}/register?invite=${encodeURIComponent(token)}`;
}

const INVITE_STATE: Record<Invite['state'], string> = {
  usable: 'Usable',
  expired: 'Expired',
  revoked: 'Revoked',
  'used-up': 'Used up',
};

function InvitesSection() {
  const { api } = useChat();
  const id = useId();
  const [invites, setInvites] = useState<Invite[]>([]);
  const [hours, setHours] = useState('168');
  const [uses, setUses] = useState('1');
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.listInvites({ limit: LIMITS.ADMIN_PAGE_MAX }).then(
      (page) => setInvites(page.items),
      (e: unknown) => setError(describeError(e)),
    );
  }, [api]);
  useEffect(load, [load]);

  async function create() {
    const expiresInHours = Number(hours);
    const maxUses = Number(uses);
    if (
      !Number.isInteger(expiresInHours) ||
      expiresInHours < 1 ||
      expiresInHours > LIMITS.INVITE_TTL_HOURS_MAX
    ) {
      setError(`Validity must be 1 to ${LIMITS.INVITE_TTL_HOURS_MAX} hours.`);
      return;
    }
    if (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > LIMITS.INVITE_MAX_USES_MAX) {
      setError(`Uses must be 1 to ${LIMITS.INVITE_MAX_USES_MAX}.`);
      return;
    }
    setError(null);
    try {
      const invite = await api.createInvite({ expiresInHours, maxUses });
      setInvites((list) => [invite, ...list]);
    } catch (e) {
      setError(describeError(e));
    }
  }

  async function copy(invite: Invite) {
    try {
      await navigator.clipboard.writeText(inviteLink(invite.token));
      toast.success('Invite link copied.');
    } catch {
      toast.error('Could not copy; select the link and copy it.');
    }
  }

  async function revoke(invite: Invite) {
    try {
      const updated = await api.revokeInvite(invite.id);
      setInvites((list) => list.map((i) => (i.id === updated.id ? updated : i)));
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <section className="admin-section" aria-labelledby="admin-invites">
      <h2 id="admin-invites">Invite links</h2>
      <form
        className="admin-inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-hours`}>Valid for (hours)</label>
          <input
            id={`${id}-hours`}
            type="number"
            inputMode="numeric"
            min={1}
            max={LIMITS.INVITE_TTL_HOURS_MAX}
            value={hours}
            onChange={(e) => setHours(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-uses`}>Uses</label>
          <input
            id={`${id}-uses`}
            type="number"
            inputMode="numeric"
            min={1}
            max={LIMITS.INVITE_MAX_USES_MAX}
            value={uses}
            onChange={(e) => setUses(e.target.value)}
          />
        </div>
        <button type="submit" className="button primary" data-testid="create-invite">
          Create invite link
        </button>
      </form>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {invites.length === 0 ? (
        <p className="field-hint">No invite links yet.</p>
      ) : (
        <ul className="admin-list" data-testid="invite-list">
          {invites.map((invite) => (
            <li key={invite.id} className="admin-row">
              <div className="admin-row-main">
                <input
                  className="invite-link"
                  readOnly
                  value={inviteLink(invite.token)}
                  aria-label="Invite link"
                  onFocus={(e) => e.currentTarget.select()}
                />
                <span className="field-hint">
                  {INVITE_STATE[invite.state]} · {invite.uses}/{invite.maxUses} used · until{' '}
                  {new Date(invite.expiresAt).toLocaleString()}
                </span>
              </div>
              <div className="admin-row-actions">
                <button type="button" className="button small" onClick={() => void copy(invite)}>
                  Copy link
                </button>
                {invite.state === 'usable' ? (
                  <button
                    type="button"
                    className="button small danger"
                    onClick={() => void revoke(invite)}
                  >
                    Revoke
                  </button>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function AccountsSection({ selfId }: { selfId: string }) {
  const { api } = useChat();
  const id = useId();
  const [query, setQuery] = useState('');
  const [accounts, setAccounts] = useState<AdminUserView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [confirmDialog, confirm] = useConfirm();
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.adminUsers({ q: query.trim(), limit: LIMITS.ADMIN_PAGE_MAX }).then(
        (page) => {
          if (!controller.signal.aborted) setAccounts(page.items);
        },
        (e: unknown) => setError(describeError(e)),
      );
    }, 200);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [api, query]);

  async function toggle(account: AdminUserView) {
    const activate = account.deactivatedAt !== null;
    if (
      !activate &&
      !(await confirm({
        title: `Deactivate @${account.user.username}?`,
        text: 'They are signed out everywhere and cannot sign in until reactivated.',
        confirmLabel: 'Deactivate',
      }))
    ) {
      return;
    }
    try {
      const updated = await api.setAccountActive(account.user.id, activate);
      setAccounts((list) => list.map((a) => (a.user.id === updated.user.id ? updated : a)));
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <section className="admin-section" aria-labelledby="admin-accounts">
      <h2 id="admin-accounts">Accounts</h2>
      <div className="field">
        <label htmlFor={`${id}-q`}>Search by username or name</label>
        <input
          id={`${id}-q`}
          type="search"
          value={query}
          maxLength={LIMITS.USER_SEARCH_QUERY_MAX}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <ul className="admin-list" data-testid="account-list">
        {accounts.map((account) => (
          <li key={account.user.id} className="admin-row" data-testid="account-row">
            <div className="admin-row-main admin-person">
              <Avatar
                id={account.user.id}
                name={account.user.displayName}
                url={account.user.avatarUrl}
                size={32}
              />
              <span>
                <strong>{account.user.displayName}</strong>{' '}
                <span className="me-username">@{account.user.username}</span>
                {account.instanceAdmin ? <span className="account-tag">admin</span> : null}
                {account.deactivatedAt ? (
                  <span className="account-tag warn">deactivated</span>
                ) : null}
              </span>
            </div>
            <div className="admin-row-actions">
              {account.instanceAdmin || account.user.id === selfId ? null : (
                <button
                  type="button"
                  className={`button small${account.deactivatedAt ? '' : ' danger'}`}
                  onClick={() => void toggle(account)}
                  aria-label={`${account.deactivatedAt ? 'Reactivate' : 'Deactivate'} @${account.user.username}`}
                >
                  {account.deactivatedAt ? 'Reactivate' : 'Deactivate'}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      {confirmDialog}
    </section>
  );
}

function ReportsSection() {
  const { api } = useChat();
  const [status, setStatus] = useState<ReportStatus>('open');
  const [reports, setReports] = useState<Report[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.listReports({ status, limit: LIMITS.ADMIN_PAGE_MAX }).then(
      (page) => setReports(page.items),
      (e: unknown) => setError(describeError(e)),
    );
  }, [api, status]);

  async function resolve(report: Report) {
    try {
      await api.resolveReport(report.id);
      setReports((list) => list.filter((r) => r.id !== report.id));
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <section className="admin-section" aria-labelledby="admin-reports">
      <h2 id="admin-reports">Reports</h2>
      <div className="segmented" role="group" aria-label="Which reports">
        {(['open', 'resolved'] as const).map((s) => (
          <button
            key={s}
            type="button"
            className={`button small${status === s ? ' primary' : ''}`}
            aria-pressed={status === s}
            onClick={() => setStatus(s)}
          >
            {s === 'open' ? 'Open' : 'Resolved'}
          </button>
        ))}
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {reports.length === 0 ? (
        <p className="field-hint">No {status} reports.</p>
      ) : (
        <ul className="admin-list" data-testid="report-list">
          {reports.map((report) => (
            <li key={report.id} className="admin-row report-row">
              <div className="admin-row-main">
                <p>
                  <strong>@{report.reporter.username}</strong> reported{' '}
                  {report.target === 'message' ? 'a message of ' : ''}
                  <strong>@{report.reportedUser.username}</strong>
                  <span className="field-hint">
                    {' '}
                    · {new Date(report.createdAt).toLocaleString()}
                  </span>
                </p>
                {report.message ? (
                  <blockquote className="report-quote">{report.message.body}</blockquote>
                ) : null}
                <p className="report-reason">Reason: {report.reason}</p>
                {report.resolvedBy ? (
                  <p className="field-hint">Resolved by @{report.resolvedBy.username}</p>
                ) : null}
              </div>
              {report.status === 'open' ? (
                <div className="admin-row-actions">
                  <button
                    type="button"
                    className="button small"
                    onClick={() => void resolve(report)}
                  >
                    Resolve
                  </button>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
