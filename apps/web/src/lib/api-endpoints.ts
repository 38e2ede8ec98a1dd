import type {
  AdminUserQuery,
  AdminUserView,
  CreateInviteRequest,
  CreateReportRequest,
  InstanceInfo,
  InstanceSettings,
  Invite,
  RegistrationMode,
  Report,
  ReportQuery,
  AddMembersRequest,
  BlockedUser,
  PrivacySettings,
  UpdatePrivacyRequest,
  ChangesQuery,
  ConversationSummary,
  CreateGroupRequest,
  HistoryAroundQuery,
  HistoryQuery,
  Message,
  MessageChangesPage,
  MessagePage,
  MessageSearchHit,
  MessageSearchQuery,
  MessageWindow,
  NotificationLevel,
  OpenDirectRequest,
  Page,
  PageQuery,
  PublicUser,
  SelfUser,
  SendMessageBody,
  UpdateGroupRequest,
  UpdateMemberRequest,
  UpdateProfileRequest,
  UserProfile,
  UserSearchQuery,
} from '@chat/shared';
import type { RequestCore } from './request-core';

/**
 * The REST endpoints of `@chat/shared` (`rest.ts`) other than sign-in and session ones (those are `ApiClient`'s), one
 * typed method per route. Every method rejects with `ApiError` (see `RequestCore`); the codes a route is known to
 * answer with are named on it.
 */
export class ApiEndpoints {
  /** @param http the request core every call goes through (token, refresh on TOKEN_EXPIRED, errors). */
  constructor(protected readonly http: RequestCore) {}

  /** GET /api/users/me -> SelfUser. */
  me(): Promise<SelfUser> {
    return this.http.request<SelfUser>('/api/users/me');
  }

  /** PATCH /api/users/me -> SelfUser. */
  updateProfile(input: UpdateProfileRequest): Promise<SelfUser> {
    return this.http.request<SelfUser>('/api/users/me', { method: 'PATCH', body: input });
  }

  /** GET /api/users?q=&cursor=&limit= -> Page<PublicUser>. */
  searchUsers(query: UserSearchQuery, signal?: AbortSignal): Promise<Page<PublicUser>> {
    return this.http.request<Page<PublicUser>>('/api/users', {
      query: { ...query },
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * GET /api/users/:id -> UserProfile (the person and the groups both are active members of).
   * Known codes: USER_NOT_FOUND.
   */
  userProfile(userId: string, signal?: AbortSignal): Promise<UserProfile> {
    return this.http.request<UserProfile>(`/api/users/${encodeURIComponent(userId)}`, {
      ...(signal ? { signal } : {}),
    });
  }

  /** GET /api/conversations?cursor=&limit= -> Page<ConversationSummary>, most recent activity first. */
  listConversations(query: PageQuery = {}): Promise<Page<ConversationSummary>> {
    return this.http.request<Page<ConversationSummary>>('/api/conversations', {
      query: { ...query },
    });
  }

  /** POST /api/conversations/direct -> ConversationSummary (idempotent: the same one every time). */
  openDirect(input: OpenDirectRequest): Promise<ConversationSummary> {
    return this.http.request<ConversationSummary>('/api/conversations/direct', {
      method: 'POST',
      body: input,
    });
  }

  /** GET /api/conversations/:id -> ConversationSummary. Throws CONVERSATION_NOT_FOUND for non-members. */
  getConversation(id: string): Promise<ConversationSummary> {
    return this.http.request<ConversationSummary>(`/api/conversations/${encodeURIComponent(id)}`);
  }

  /** GET /api/conversations/:id/messages?before=|after=&limit= -> MessagePage (ascending seq). */
  history(id: string, query: HistoryQuery = {}): Promise<MessagePage> {
    return this.http.request<MessagePage>(`/api/conversations/${encodeURIComponent(id)}/messages`, {
      query: { ...query },
    });
  }

  /**
   * GET /api/conversations/:id/changes?after=&limit= -> MessageChangesPage: messages edited, deleted or reacted to
   * after change value `after`, as the caller sees them now (ascending changeSeq).
   */
  changes(id: string, query: ChangesQuery): Promise<MessageChangesPage> {
    return this.http.request<MessageChangesPage>(
      `/api/conversations/${encodeURIComponent(id)}/changes`,
      { query: { ...query } },
    );
  }

  /** POST /api/conversations/:id/messages -> Message: the REST twin of `message:send`. */
  sendMessage(id: string, input: SendMessageBody): Promise<Message> {
    return this.http.request<Message>(`/api/conversations/${encodeURIComponent(id)}/messages`, {
      method: 'POST',
      body: input,
    });
  }

  /** POST /api/conversations/group -> 201 ConversationSummary (the caller is its first admin). */
  createGroup(input: CreateGroupRequest): Promise<ConversationSummary> {
    return this.http.request<ConversationSummary>('/api/conversations/group', {
      method: 'POST',
      body: input,
    });
  }

  /** PATCH /api/conversations/:id -> ConversationSummary. Admins; throws ADMIN_REQUIRED, NOT_A_GROUP, MEMBERSHIP_ENDED. */
  renameGroup(id: string, input: UpdateGroupRequest): Promise<ConversationSummary> {
    return this.http.request<ConversationSummary>(`/api/conversations/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: input,
    });
  }

  /** POST /api/conversations/:id/members -> ConversationSummary. Admins; throws ALREADY_MEMBER, USER_NOT_FOUND, MEMBER_LIMIT_EXCEEDED. */
  addMembers(id: string, input: AddMembersRequest): Promise<ConversationSummary> {
    return this.http.request<ConversationSummary>(
      `/api/conversations/${encodeURIComponent(id)}/members`,
      { method: 'POST', body: input },
    );
  }

  /** DELETE /api/conversations/:id/members/:userId -> ConversationSummary. Admins (your own id means leaving); throws NOT_A_MEMBER. */
  removeMember(id: string, userId: string): Promise<ConversationSummary> {
    return this.http.request<ConversationSummary>(
      `/api/conversations/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`,
      { method: 'DELETE' },
    );
  }

  /** PATCH /api/conversations/:id/members/:userId -> ConversationSummary. Admins promote or demote; throws NOT_A_MEMBER. */
  setMemberRole(
    id: string,
    userId: string,
    input: UpdateMemberRequest,
  ): Promise<ConversationSummary> {
    return this.http.request<ConversationSummary>(
      `/api/conversations/${encodeURIComponent(id)}/members/${encodeURIComponent(userId)}`,
      { method: 'PATCH', body: input },
    );
  }

  /** POST /api/conversations/:id/leave -> ConversationSummary with status 'left'. */
  leaveGroup(id: string): Promise<ConversationSummary> {
    return this.http.request<ConversationSummary>(
      `/api/conversations/${encodeURIComponent(id)}/leave`,
      {
        method: 'POST',
      },
    );
  }

  /** DELETE /api/attachments/:id -> 204: an unsent upload of mine (cancelled or removed from the tray). */
  deleteAttachment(id: string): Promise<void> {
    return this.http.request<void>(`/api/attachments/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }

  /** DELETE /api/users/me/avatar -> SelfUser without a picture. (Uploads go through `uploadFile`: progress.) */
  removeAvatar(): Promise<SelfUser> {
    return this.http.request<SelfUser>('/api/users/me/avatar', { method: 'DELETE' });
  }

  /** DELETE /api/conversations/:id/avatar -> ConversationSummary (group admins). */
  removeGroupAvatar(id: string): Promise<ConversationSummary> {
    return this.http.request<ConversationSummary>(
      `/api/conversations/${encodeURIComponent(id)}/avatar`,
      { method: 'DELETE' },
    );
  }

  /** POST /api/conversations/:id/accept -> ConversationSummary: accepts my message request or group invitation. */
  acceptConversation(id: string): Promise<ConversationSummary> {
    return this.http.request<ConversationSummary>(
      `/api/conversations/${encodeURIComponent(id)}/accept`,
      { method: 'POST' },
    );
  }

  /** POST /api/conversations/:id/decline -> 204: removes my request or invitation (I am no member afterwards). */
  declineConversation(id: string): Promise<void> {
    return this.http.request<void>(`/api/conversations/${encodeURIComponent(id)}/decline`, {
      method: 'POST',
    });
  }

  /** GET /api/instance -> InstanceInfo (no sign-in needed: the register page asks it). */
  instanceInfo(): Promise<InstanceInfo> {
    return this.http.request<InstanceInfo>('/api/instance', { authenticated: false });
  }

  /** GET /api/users/me/export -> the ZIP of everything of the caller's (a Blob). */
  exportMyData(): Promise<Blob> {
    return this.http.request<Blob>('/api/users/me/export', { responseType: 'blob' });
  }

  /** DELETE /api/users/me { password } -> 204. Rejects with INVALID_CREDENTIALS for a wrong password. */
  deleteAccount(password: string): Promise<void> {
    return this.http.request<void>('/api/users/me', { method: 'DELETE', body: { password } });
  }

  /**
   * POST /api/reports -> Report: a person (`{ target: 'user', userId, reason }`) or a message
   * (`{ target: 'message', conversationId, seq, reason }`) to the instance administrators.
   */
  report(input: CreateReportRequest): Promise<Report> {
    return this.http.request<Report>('/api/reports', { method: 'POST', body: input });
  }

  /** GET /api/admin/settings (instance administrators; others get INSTANCE_ADMIN_REQUIRED). */
  adminSettings(): Promise<InstanceSettings> {
    return this.http.request<InstanceSettings>('/api/admin/settings');
  }

  /** PUT /api/admin/settings. */
  setRegistrationMode(registrationMode: RegistrationMode): Promise<InstanceSettings> {
    return this.http.request<InstanceSettings>('/api/admin/settings', {
      method: 'PUT',
      body: { registrationMode },
    });
  }

  /** GET /api/admin/invites -> Page<Invite>, newest first. */
  listInvites(query: PageQuery = {}): Promise<Page<Invite>> {
    return this.http.request<Page<Invite>>('/api/admin/invites', { query: { ...query } });
  }

  /** POST /api/admin/invites -> Invite. */
  createInvite(input: CreateInviteRequest): Promise<Invite> {
    return this.http.request<Invite>('/api/admin/invites', { method: 'POST', body: input });
  }

  /** POST /api/admin/invites/:id/revoke -> Invite. */
  revokeInvite(id: string): Promise<Invite> {
    return this.http.request<Invite>(`/api/admin/invites/${encodeURIComponent(id)}/revoke`, {
      method: 'POST',
    });
  }

  /** GET /api/users/me/privacy -> PrivacySettings. */
  privacySettings(): Promise<PrivacySettings> {
    return this.http.request<PrivacySettings>('/api/users/me/privacy');
  }

  /** PATCH /api/users/me/privacy -> PrivacySettings (all of them, after the change). */
  updatePrivacy(input: UpdatePrivacyRequest): Promise<PrivacySettings> {
    return this.http.request<PrivacySettings>('/api/users/me/privacy', {
      method: 'PATCH',
      body: input,
    });
  }

  /** GET /api/blocks -> BlockedUser[], newest first. */
  listBlocked(): Promise<BlockedUser[]> {
    return this.http.request<BlockedUser[]>('/api/blocks');
  }

  /** PUT /api/blocks/:userId -> BlockedUser (idempotent; also declines their pending request). */
  block(userId: string): Promise<BlockedUser> {
    return this.http.request<BlockedUser>(`/api/blocks/${encodeURIComponent(userId)}`, {
      method: 'PUT',
    });
  }

  /** DELETE /api/blocks/:userId -> 204 (idempotent). */
  unblock(userId: string): Promise<void> {
    return this.http.request<void>(`/api/blocks/${encodeURIComponent(userId)}`, {
      method: 'DELETE',
    });
  }

  /** GET /api/admin/users?q= -> Page<AdminUserView> (active and deactivated accounts). */
  adminUsers(query: AdminUserQuery = {}): Promise<Page<AdminUserView>> {
    return this.http.request<Page<AdminUserView>>('/api/admin/users', { query: { ...query } });
  }

  /** POST /api/admin/users/:id/deactivate | reactivate -> AdminUserView. */
  setAccountActive(id: string, active: boolean): Promise<AdminUserView> {
    const action = active ? 'reactivate' : 'deactivate';
    return this.http.request<AdminUserView>(
      `/api/admin/users/${encodeURIComponent(id)}/${action}`,
      { method: 'POST' },
    );
  }

  /** GET /api/admin/reports?status= -> Page<Report>, newest first. */
  listReports(query: ReportQuery = {}): Promise<Page<Report>> {
    return this.http.request<Page<Report>>('/api/admin/reports', { query: { ...query } });
  }

  /** POST /api/admin/reports/:id/resolve -> Report. */
  resolveReport(id: string): Promise<Report> {
    return this.http.request<Report>(`/api/admin/reports/${encodeURIComponent(id)}/resolve`, {
      method: 'POST',
    });
  }
  /** GET /api/search/messages?q=&... -> Page<MessageSearchHit>: messages I may read, best match first. */
  searchMessages(query: MessageSearchQuery, signal?: AbortSignal): Promise<Page<MessageSearchHit>> {
    const { hasFile, ...rest } = query;
    return this.http.request<Page<MessageSearchHit>>('/api/search/messages', {
      query: { ...rest, ...(hasFile ? { hasFile: 'true' } : {}) },
      ...(signal ? { signal } : {}),
    });
  }

  /** GET /api/conversations/:id/messages/around?seq=&limit= -> MessageWindow (ascending seq). */
  historyAround(id: string, query: HistoryAroundQuery): Promise<MessageWindow> {
    return this.http.request<MessageWindow>(
      `/api/conversations/${encodeURIComponent(id)}/messages/around`,
      { query: { ...query } },
    );
  }

  /** PUT /api/conversations/:id/notification-level -> ConversationSummary with my new level. */
  setNotificationLevel(id: string, level: NotificationLevel): Promise<ConversationSummary> {
    return this.http.request<ConversationSummary>(
      `/api/conversations/${encodeURIComponent(id)}/notification-level`,
      { method: 'PUT', body: { level } },
    );
  }
}
