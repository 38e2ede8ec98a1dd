'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { toast } from 'sonner';
import { LIMITS, type ConversationMember, type ConversationSummary } from '@chat/shared';
import { describeError } from '@/lib/api-client';
import { useChat } from '@/components/providers/chat-provider';
import { Avatar } from '@/components/avatar/avatar';
import { GroupPictureControl } from '@/components/attachments/group-picture-control';
import { PeopleSearch } from '@/components/people-search/people-search';
import { PersonAvatar, PersonName } from '@/components/profile/user-profile';

/** A destructive action waiting for the person's confirmation. */
interface PendingConfirm {
  question: string;
  confirmLabel: string;
  run: () => Promise<unknown>;
}

/**
 * The group info panel: the members with admin badges; for admins, rename, add people, remove, promote and demote;
 * for everyone, leave. Destructive actions (remove, leave) ask first. Every change answers with the group as the
 * caller sees it, which replaces the summary in the store (other members hear it as `conversation:updated`).
 */
export function GroupInfoPanel({
  conversation,
  selfId,
  onClose,
}: {
  conversation: ConversationSummary;
  selfId: string;
  onClose: () => void;
}) {
  const { api, conversations } = useChat();
  const me = conversation.members.find((m) => m.user.id === selfId);
  const isAdmin = conversation.status === 'active' && me?.role === 'admin';
  const [renaming, setRenaming] = useState(false);
  const [title, setTitle] = useState(conversation.title ?? '');
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<PendingConfirm | null>(null);
  const headingId = useId();
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);

  // Opening moves focus into the panel (its heading, so a screen reader announces "Group info"); closing gives it
  // back to what had it, normally the "Group info" button (WAI-ARIA APG, dialog and disclosure focus guidance).
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    heading.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  async function act(run: () => Promise<ConversationSummary>): Promise<boolean> {
    setBusy(true);
    try {
      conversations.getState().upsert(await run());
      return true;
    } catch (error) {
      toast.error(describeError(error));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function rename() {
    const trimmed = title.trim();
    if (trimmed.length < LIMITS.GROUP_TITLE_MIN || trimmed.length > LIMITS.GROUP_TITLE_MAX) return;
    if (await act(() => api.renameGroup(conversation.id, { title: trimmed }))) setRenaming(false);
  }

  function askRemove(member: ConversationMember) {
    setConfirm({
      question: `Remove ${member.user.displayName} from the group? They keep the history up to now but get nothing new.`,
      confirmLabel: 'Remove',
      run: () => act(() => api.removeMember(conversation.id, member.user.id)),
    });
  }

  function askLeave() {
    setConfirm({
      question:
        'Leave this group? You keep the history up to now but can no longer send or read new messages.',
      confirmLabel: 'Leave group',
      run: () => act(() => api.leaveGroup(conversation.id)),
    });
  }

  return (
    <aside
      className="group-panel"
      aria-labelledby={headingId}
      data-testid="group-panel"
      onKeyDown={(e) => {
        // Esc backs out one step: the open confirmation, the people search or the rename first, then the panel.
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        if (confirm) setConfirm(null);
        else if (adding) setAdding(false);
        else if (renaming) setRenaming(false);
        else onClose();
      }}
    >
      <header className="group-panel-header">
        <h3 id={headingId} ref={heading} tabIndex={-1}>
          Group info
        </h3>
        <button type="button" className="button subtle small" onClick={onClose}>
          Close
        </button>
      </header>

      <div className="group-panel-section">
        {renaming ? (
          <form
            className="rename-form"
            onSubmit={(e) => {
              e.preventDefault();
              void rename();
            }}
          >
            <label htmlFor={titleId} className="visually-hidden">
              Group name
            </label>
            <input
              id={titleId}
              value={title}
              maxLength={LIMITS.GROUP_TITLE_MAX}
              onChange={(e) => setTitle(e.target.value)}
              autoFocus
            />
            <button
              type="submit"
              className="button primary small"
              disabled={busy || title.trim().length === 0}
            >
              Save
            </button>
            <button
              type="button"
              className="button subtle small"
              onClick={() => setRenaming(false)}
            >
              Cancel
            </button>
          </form>
        ) : (
          <div className="group-panel-title">
            <Avatar
              id={conversation.id}
              name={conversation.title ?? 'Group'}
              size={48}
              url={conversation.avatarUrl}
            />
            <strong>{conversation.title}</strong>
            {isAdmin ? (
              <button
                type="button"
                className="button subtle small"
                onClick={() => {
                  setTitle(conversation.title ?? '');
                  setRenaming(true);
                }}
              >
                Rename
              </button>
            ) : null}
          </div>
        )}
      </div>

      {isAdmin && conversation.status !== 'left' ? (
        <div className="group-panel-section" data-testid="group-picture">
          <h4>Group picture</h4>
          <GroupPictureControl conversation={conversation} />
        </div>
      ) : null}

      {conversation.status === 'left' ? (
        <p className="group-panel-note">You are no longer a member of this group.</p>
      ) : (
        <div className="group-panel-section">
          <div className="group-panel-row">
            <h4>{conversation.members.length} members</h4>
            {isAdmin && !adding ? (
              <button type="button" className="button small" onClick={() => setAdding(true)}>
                Add people
              </button>
            ) : null}
          </div>
          {adding ? (
            <PeopleSearch
              selfId={selfId}
              label="Add people to the group"
              excludeIds={conversation.members.map((m) => m.user.id)}
              excludedNote="in the group"
              onPick={(user) =>
                void act(() => api.addMembers(conversation.id, { userIds: [user.id] }))
              }
              onClose={() => setAdding(false)}
            />
          ) : null}
          <ul className="member-list" aria-label="Members">
            {conversation.members.map((member) => {
              const self = member.user.id === selfId;
              return (
                <li key={member.user.id} className="member" data-testid="member">
                  {self ? (
                    <Avatar
                      id={member.user.id}
                      name={member.user.displayName}
                      size={32}
                      url={member.user.avatarUrl}
                    />
                  ) : (
                    <PersonAvatar user={member.user} size={32} />
                  )}
                  <span className="member-text">
                    {self ? (
                      <span className="member-name">{member.user.displayName} (you)</span>
                    ) : (
                      <PersonName user={member.user} className="member-name" />
                    )}
                    <span className="member-username">@{member.user.username}</span>
                  </span>
                  {member.role === 'admin' ? <span className="admin-badge">Admin</span> : null}
                  {member.pending ? (
                    <span className="admin-badge invited-badge">Invited</span>
                  ) : null}
                  {isAdmin && !self ? (
                    <span className="member-actions">
                      <button
                        type="button"
                        className="button subtle small"
                        disabled={busy}
                        onClick={() =>
                          void act(() =>
                            api.setMemberRole(conversation.id, member.user.id, {
                              role: member.role === 'admin' ? 'member' : 'admin',
                            }),
                          )
                        }
                        aria-label={
                          member.role === 'admin'
                            ? `Dismiss admin: ${member.user.displayName}`
                            : `Make admin: ${member.user.displayName}`
                        }
                      >
                        {member.role === 'admin' ? 'Dismiss admin' : 'Make admin'}
                      </button>
                      <button
                        type="button"
                        className="button subtle small danger"
                        disabled={busy}
                        onClick={() => askRemove(member)}
                        aria-label={`Remove ${member.user.displayName}`}
                      >
                        Remove
                      </button>
                    </span>
                  ) : null}
                </li>
              );
            })}
          </ul>
          <button type="button" className="button danger wide" disabled={busy} onClick={askLeave}>
            Leave group
          </button>
        </div>
      )}

      {confirm ? (
        <div
          className="confirm"
          role="alertdialog"
          aria-label="Confirm"
          aria-describedby={`${headingId}-confirm`}
        >
          <p id={`${headingId}-confirm`}>{confirm.question}</p>
          <div className="confirm-actions">
            {/* Focus moves into the question, on the harmless answer, so Enter never removes by accident. */}
            <button
              type="button"
              className="button subtle"
              onClick={() => setConfirm(null)}
              autoFocus
            >
              Cancel
            </button>
            <button
              type="button"
              className="button danger-solid"
              disabled={busy}
              onClick={() => {
                const { run } = confirm;
                setConfirm(null);
                void run();
              }}
            >
              {confirm.confirmLabel}
            </button>
          </div>
        </div>
      ) : null}
    </aside>
  );
}
