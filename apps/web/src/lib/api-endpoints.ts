import type {
  AddMembersRequest,
  ChangesQuery,
  ConversationSummary,
  CreateGroupRequest,
  HistoryQuery,
  Message,
  MessageChangesPage,
  MessagePage,
  OpenDirectRequest,
  Page,
  PageQuery,
  PublicUser,
  SelfUser,
  SendMessageBody,
  UpdateGroupRequest,
  UpdateMemberRequest,
  UpdateProfileRequest,
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
}
