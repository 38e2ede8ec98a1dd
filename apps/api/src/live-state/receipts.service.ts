import { Injectable } from '@nestjs/common';
import { ErrorCode, type ReceiptEvent, type ReceiptPayload } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { ConversationAccess } from '../conversations/conversation-access.js';
import { DomainEvents } from '../events/domain-events.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';

/**
 * Receipts as per-member watermarks: `deliveredSeq` (a device of the member received
 * everything up to it) and `readSeq` (they read everything up to it). Watermarks only rise and never pass the
 * conversation's lastSeq (ConversationsRepository.advanceWatermarks); unread counts derive from readSeq.
 */
@Injectable()
export class ReceiptsService {
  constructor(
    private readonly access: ConversationAccess,
    private readonly conversations: ConversationsRepository,
    private readonly events: DomainEvents,
  ) {}

  /**
   * Raises the caller's watermarks. Reading implies delivery, so `readSeq` also raises `deliveredSeq`. A former
   * member's marks are capped at the end of their history (historyUntilSeq). When a mark moved, the new marks are
   * published as `receipt.advanced`; the fan-out listener sends `receipt:update` to every active member (except
   * anyone with a block either way), the caller's own devices included (their badges clear), or only to the
   * caller's devices for a former member or one who has not accepted the conversation (docs/privacy.md).
   * @returns the caller's watermarks after the change (unchanged when nothing rose)
   * @throws AppError CONVERSATION_NOT_FOUND (404) when the caller is not (and never was) a member
   */
  async update(userId: string, input: ReceiptPayload): Promise<ReceiptEvent> {
    const { member: before, untilSeq } = await this.access.requireRead(
      input.conversationId,
      userId,
    );
    const cap = untilSeq ?? Number.MAX_SAFE_INTEGER;
    const marks: { deliveredSeq?: number; readSeq?: number } = {};
    const delivered = Math.max(input.deliveredSeq ?? 0, input.readSeq ?? 0);
    if (input.deliveredSeq !== undefined || input.readSeq !== undefined) {
      marks.deliveredSeq = Math.min(delivered, cap);
    }
    if (input.readSeq !== undefined) marks.readSeq = Math.min(input.readSeq, cap);
    const after = await this.conversations.advanceWatermarks(input.conversationId, userId, marks);
    if (!after) throw new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
    const event: ReceiptEvent = {
      conversationId: input.conversationId,
      userId,
      deliveredSeq: after.deliveredSeq,
      readSeq: after.readSeq,
    };
    if (after.deliveredSeq !== before.deliveredSeq || after.readSeq !== before.readSeq) {
      await this.events.publish('receipt.advanced', {
        receipt: event,
        formerMember: untilSeq !== undefined,
        pendingMember: before.pending,
      });
    }
    return event;
  }
}
