import { Injectable } from '@nestjs/common';
import { ErrorCode, LIMITS, type Message, type MessagePage } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { toMessage } from '../conversations/conversation.mapper.js';
import { ConversationAccess } from '../conversations/conversation-access.js';
import { DomainEvents } from '../events/domain-events.js';
import { MessagesRepository } from '../storage/messages.repository.js';
import {
  AttachmentClaimError,
  RecordNotFoundError,
  SenderMembershipError,
} from '../storage/storage.errors.js';

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
   * @throws AppError CONVERSATION_NOT_FOUND (404) when the caller never was a member, MEMBERSHIP_ENDED (403)
   *   when they left or were removed (in both cases nothing is stored or sent);
   *   VALIDATION_FAILED for a body that is empty (without attachments) or too long after trimming (defence in
   *   depth: DTOs check first); TOO_MANY_ATTACHMENTS (400) above LIMITS.ATTACHMENTS_PER_MESSAGE;
   *   ATTACHMENT_NOT_FOUND (404: unknown, another conversation's or another person's) / ATTACHMENT_IN_USE (409:
   *   already sent) from the atomic claim, nothing stored; MESSAGE_NOT_FOUND (404) when `replyToId` names no
   *   message of this conversation (a reply costs two reads before the append: the access check, so a non-member
   *   learns nothing about message ids, and the target)
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
    if (input.replyToId !== undefined) {
      await this.access.requireWrite(input.conversationId, senderId);
      const target = await this.messages.findById(input.replyToId);
      // An active member reads the whole history, so any message of the conversation may be answered.
      if (!target || target.conversationId !== input.conversationId.toLowerCase()) {
        throw new AppError(ErrorCode.MESSAGE_NOT_FOUND, 'The message replied to was not found.');
      }
    }
    let result;
    try {
      // The membership check (ConversationAccess.requireWrite's rule) happens inside the append, in the same atomic step, and the
      // append returns the fan-out audience: one storage round trip per send (docs/performance.md).
      result = await this.messages.append({
        conversationId: input.conversationId,
        senderId,
        clientMessageId: input.clientMessageId,
        kind: 'text',
        body,
        ...(attachmentIds.length > 0 ? { attachmentIds } : {}),
        ...(input.replyToId !== undefined ? { replyToId: input.replyToId } : {}),
        ...(input.forwarded ? { forwarded: true } : {}),
        requireActiveSender: true,
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
}
