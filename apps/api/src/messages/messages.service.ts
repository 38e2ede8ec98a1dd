import { Injectable } from '@nestjs/common';
import {
  ErrorCode,
  LIMITS,
  type Message,
  type MessagePage,
  type MessageSearchHit,
  type MessageWindow,
  type Page,
} from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { toMessage } from '../conversations/conversation.mapper.js';
import { ConversationAccess } from '../conversations/conversation-access.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { DomainEvents } from '../events/domain-events.js';
import {
  MessagesRepository,
  type AppendMessageInput,
  type AppendMessageResult,
} from '../storage/messages.repository.js';
import {
  AttachmentClaimError,
  InvalidCursorError,
  MentionMembershipError,
  RecordNotFoundError,
  ReplyTargetError,
  SendConsentError,
  SenderMembershipError,
} from '../storage/storage.errors.js';
import { UsersRepository } from '../storage/users.repository.js';
import { toPublicUser } from '../users/user.mapper.js';

/** Appends one send may make when consent has to be resolved first (see MessagesService.appendWithConsent). */
const SEND_CONSENT_ATTEMPTS = 3;

/** A send request after validation (body already trimmed). */
export interface SendMessageInput {
  conversationId: string;
  clientMessageId: string;
  body: string;
  /** Unsent attachments of the sender in this conversation, in display order (distinct; DTO-checked). */
  attachmentIds?: readonly string[];
  /** The message of this conversation this one replies to. */
  replyToId?: string;
  /** A forwarded copy (set by MessageActionsService.forward only; never from a client). */
  forwarded?: boolean;
  /** Mentioned people (distinct ids; DTO-checked shape). */
  mentions?: readonly string[];
  /** `@all`. */
  mentionsAll?: boolean;
}

/** A search request after validation. */
export interface SearchMessagesInput {
  q: string;
  conversationId?: string;
  senderId?: string;
  hasFile?: boolean;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

/**
 * Sending and reading messages. The rules live here; REST and Socket.IO are thin transports over them. A stored
 * message is published as the `message.stored` domain event: fan-out (`message:new`) and the sender's typing stop
 * are listeners of it.
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly access: ConversationAccess,
    private readonly messages: MessagesRepository,
    private readonly events: DomainEvents,
    private readonly conversations: ConversationsService,
    private readonly users: UsersRepository,
  ) {}

  /**
   * Stores a message durably (the append checks the sender's active membership and returns the active members in
   * the same statement), then publishes `message.stored` with those members, whose listeners fan it out as
   * `message:new` to the room of every member (the sender's other tabs and devices included) and stop the sender's
   * typing there.
   * Idempotent on the client message id: a retry returns the stored message with `created: false` and publishes
   * nothing. Once stored, the send succeeds even if a listener fails (logged; resync delivers, docs/protocol.md
   * "Resync"): publishing never throws.
   * @returns the stored message; `created` tells REST whether to answer 201 or 200
   * Checks of the input itself come first (body, attachment and mention counts; `@all` in a group and from an
   * admin only: one membership read); then the append checks, in this order, the membership, consent and blocks
   * (docs/privacy.md), the reply target and the mentions. A sender whose membership is pending (a request or
   * invitation) accepts it by sending, and in a direct conversation the other person declined earlier they are
   * asked again (appendWithConsent).
   * @throws AppError CONVERSATION_NOT_FOUND (404) when the caller never was a member, MEMBERSHIP_ENDED (403)
   *   when they left or were removed (in both cases nothing is stored or sent); CONTACT_UNAVAILABLE (403) in a
   *   direct conversation with a block either way, or whose other person's account is deactivated or deleted (and,
   *   rarely, when consent could not be settled in SEND_CONSENT_ATTEMPTS tries, see appendWithConsent);
   *   VALIDATION_FAILED for a body that is empty (without attachments) or too long after trimming (defence in
   *   depth: DTOs check first); TOO_MANY_ATTACHMENTS (400) above LIMITS.ATTACHMENTS_PER_MESSAGE;
   *   ATTACHMENT_NOT_FOUND (404: unknown, another conversation's or another person's) / ATTACHMENT_IN_USE (409:
   *   already sent) from the atomic claim, nothing stored;
   *   MENTION_NOT_MEMBER (400) when a mentioned person is not an active member (checked in the append's atomic
   *   step, nothing stored); VALIDATION_FAILED above LIMITS.MENTIONS_PER_MESSAGE; for `mentionsAll`,
   *   NOT_A_GROUP (400) in a direct conversation and ADMIN_REQUIRED (403) for a member who is not an admin;
   *   MESSAGE_NOT_FOUND (404) when `replyToId` names no message of this conversation (checked after the
   *   membership, so a non-member learns nothing about message ids)
   */
  async send(
    senderId: string,
    input: SendMessageInput,
  ): Promise<{ message: Message; created: boolean }> {
    const body = input.body.trim();
    const attachmentIds = input.attachmentIds ?? [];
    if (attachmentIds.length > LIMITS.ATTACHMENTS_PER_MESSAGE) {
      throw new AppError(
        ErrorCode.TOO_MANY_ATTACHMENTS,
        `At most ${LIMITS.ATTACHMENTS_PER_MESSAGE} attachments per message.`,
      );
    }
    // With attachments the text may be empty (a photo without a caption).
    const minBody = attachmentIds.length > 0 ? 0 : LIMITS.MESSAGE_BODY_MIN;
    if (body.length < minBody || body.length > LIMITS.MESSAGE_BODY_MAX) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'The message is empty or too long.', {
        body: [`must be ${minBody}..${LIMITS.MESSAGE_BODY_MAX} characters after trimming`],
      });
    }
    const mentions = [...new Set(input.mentions ?? [])];
    if (mentions.length > LIMITS.MENTIONS_PER_MESSAGE) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'Too many mentions.', {
        mentions: [`at most ${LIMITS.MENTIONS_PER_MESSAGE}`],
      });
    }
    // `@all` notifies everyone: in groups only, and only from an admin (docs/search.md, "Mentions"). This reads
    // the membership once more; a demotion racing the send may let one last @all through, which is harmless.
    if (input.mentionsAll === true) {
      await this.access.requireAdmin(input.conversationId, senderId);
    }
    let result;
    try {
      // The membership check (ConversationAccess.requireWrite's rule), consent and blocks, the reply target and
      // the mentions are checked inside the append, in the same atomic step, and the append returns the fan-out
      // audience: one storage round trip per send (docs/performance.md).
      result = await this.appendWithConsent({
        conversationId: input.conversationId,
        senderId,
        clientMessageId: input.clientMessageId,
        kind: 'text',
        body,
        ...(attachmentIds.length > 0 ? { attachmentIds } : {}),
        ...(mentions.length > 0 ? { mentions } : {}),
        ...(input.mentionsAll === true ? { mentionsAll: true } : {}),
        ...(input.replyToId !== undefined ? { replyToId: input.replyToId } : {}),
        ...(input.forwarded ? { forwarded: true } : {}),
        requireActiveSender: true,
        requireConsent: true,
      });
    } catch (error) {
      if (error instanceof SenderMembershipError) {
        throw error.reason === 'ended'
          ? new AppError(
              ErrorCode.MEMBERSHIP_ENDED,
              'You are no longer a member of this conversation.',
            )
          : new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
      }
      if (error instanceof RecordNotFoundError) {
        throw new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
      }
      if (error instanceof SendConsentError) {
        throw new AppError(ErrorCode.CONTACT_UNAVAILABLE, 'This person cannot be reached.');
      }
      if (error instanceof ReplyTargetError) {
        throw new AppError(ErrorCode.MESSAGE_NOT_FOUND, 'The message replied to was not found.');
      }
      if (error instanceof MentionMembershipError) {
        throw new AppError(
          ErrorCode.MENTION_NOT_MEMBER,
          'A mentioned person is not a member of this conversation.',
          { mentions: [`${error.userId} is not an active member`] },
        );
      }
      if (error instanceof AttachmentClaimError) {
        throw error.reason === 'in_use'
          ? new AppError(ErrorCode.ATTACHMENT_IN_USE, 'That attachment was already sent.')
          : new AppError(ErrorCode.ATTACHMENT_NOT_FOUND, 'Attachment not found.');
      }
      throw error;
    }
    const message = toMessage(result.message);
    if (result.created) {
      await this.events.publish('message.stored', { message, memberIds: result.activeMemberIds });
    }
    return { message, created: result.created };
  }

  /**
   * The append of a person's send, consent included (AppendMessageInput.requireConsent). A block or an account
   * that is gone is final; for the other refusals the slower path resolves them and the append runs again: ConversationAccess.
   * requireSend reads the conversation as it is now (and throws CONTACT_UNAVAILABLE for a block); a pending
   * sender accepts by sending; a direct conversation the other person declined asks them again. Those happen
   * once per request or invitation, so a usual send stays one storage round trip.
   * @throws SendConsentError for a block or an account that is gone, or when it is still refused after
   *   SEND_CONSENT_ATTEMPTS appends (the other person declined again each time, or the sender was invited again
   *   each time: send answers both with CONTACT_UNAVAILABLE); the storage errors of append
   */
  private async appendWithConsent(input: AppendMessageInput): Promise<AppendMessageResult> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.messages.append(input);
      } catch (error) {
        if (!(error instanceof SendConsentError)) throw error;
        if (error.reason === 'blocked' || error.reason === 'unavailable') throw error;
        if (attempt >= SEND_CONSENT_ATTEMPTS) throw error;
        const access = await this.access.requireSend(input.conversationId, input.senderId);
        if (access.member.pending) {
          await this.conversations.acceptPending(input.conversationId, input.senderId);
        }
        if (access.peerId !== null && !access.peerActive) {
          await this.conversations.askPeerAgain(
            input.conversationId,
            input.senderId,
            access.peerId,
          );
        }
      }
    }
  }

  /**
   * One page of history in ascending seq order (see MessagesRepository.listPage for before/after semantics).
   * A former member reads only up to their departure (seq <= historyUntilSeq).
   * @throws AppError CONVERSATION_NOT_FOUND (404) when the caller never was a member
   */
  async history(
    conversationId: string,
    callerId: string,
    query: { before?: number; after?: number; limit?: number },
  ): Promise<MessagePage> {
    const { untilSeq } = await this.access.requireRead(conversationId, callerId);
    const page = await this.messages.listPage(conversationId, {
      ...(query.before !== undefined ? { before: query.before } : {}),
      ...(query.after !== undefined ? { after: query.after } : {}),
      ...(untilSeq !== undefined ? { untilSeq } : {}),
      limit: query.limit ?? LIMITS.HISTORY_PAGE_DEFAULT,
    });
    return { items: page.items.map(toMessage), hasMore: page.hasMore };
  }

  /**
   * A window of history centred on `seq` (jumping to a search result or a replied-to message): up to `limit`
   * messages with seq <= `seq` and up to `limit` above it, ascending; two range reads of the same index as history
   * pages. A former member's window ends at their departure.
   * @throws AppError CONVERSATION_NOT_FOUND (404) when the caller never was a member
   */
  async around(
    conversationId: string,
    callerId: string,
    query: { seq: number; limit?: number },
  ): Promise<MessageWindow> {
    const { untilSeq } = await this.access.requireRead(conversationId, callerId);
    const limit = query.limit ?? LIMITS.HISTORY_AROUND_DEFAULT;
    const until = untilSeq !== undefined ? { untilSeq } : {};
    const [below, above] = await Promise.all([
      this.messages.listPage(conversationId, { before: query.seq + 1, limit, ...until }),
      this.messages.listPage(conversationId, { after: query.seq, limit, ...until }),
    ]);
    return {
      items: [...below.items, ...above.items].map(toMessage),
      hasMoreBefore: below.hasMore,
      hasMoreAfter: above.hasMore,
    };
  }

  /**
   * Full-text search over every message the caller may read (MessagesRepository.search decides what is readable:
   * the access rule is applied inside the one query, never by filtering afterwards). Each hit carries its sender's
   * public profile (one batched read per page).
   * @throws AppError VALIDATION_FAILED (400) for a cursor this search did not issue
   */
  async search(callerId: string, query: SearchMessagesInput): Promise<Page<MessageSearchHit>> {
    let page;
    try {
      page = await this.messages.search({
        userId: callerId,
        query: query.q,
        ...(query.conversationId !== undefined ? { conversationId: query.conversationId } : {}),
        ...(query.senderId !== undefined ? { senderId: query.senderId } : {}),
        ...(query.hasFile === true ? { hasAttachments: true } : {}),
        ...(query.from !== undefined ? { from: new Date(query.from) } : {}),
        ...(query.to !== undefined ? { to: new Date(query.to) } : {}),
        cursor: query.cursor ?? null,
        limit: query.limit ?? LIMITS.SEARCH_PAGE_DEFAULT,
      });
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'The cursor is not valid.', {
          cursor: ['not a cursor of this search'],
        });
      }
      throw error;
    }
    const senders = await this.users.findManyByIds([
      ...new Set(page.items.map((hit) => hit.message.senderId)),
    ]);
    const byId = new Map(senders.map((u) => [u.id, u]));
    return {
      items: page.items.map((hit) => {
        const sender = byId.get(hit.message.senderId);
        return {
          message: toMessage(hit.message),
          snippet: hit.snippet,
          sender: sender ? toPublicUser(sender) : null,
        };
      }),
      nextCursor: page.nextCursor,
    };
  }
}
