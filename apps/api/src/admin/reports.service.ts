import { Injectable } from '@nestjs/common';
import { ErrorCode, type Report } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { ConversationAccess } from '../conversations/conversation-access.js';
import { InstanceRepository, type CreateReportInput } from '../storage/instance.repository.js';
import { MessagesRepository } from '../storage/messages.repository.js';
import { UsersRepository } from '../storage/users.repository.js';
import type { CreateReportDto } from './dto/admin.dto.js';
import { AdminService } from './admin.service.js';

/**
 * Reports from anyone signed in to the instance administrators: about a person, or about a message the reporter
 * can read (checked by ConversationAccess; the report keeps a copy of the message's text, which the reporter
 * could read, so administrators who are not members can judge it).
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly instance: InstanceRepository,
    private readonly users: UsersRepository,
    private readonly messages: MessagesRepository,
    private readonly access: ConversationAccess,
    private readonly admin: AdminService,
  ) {}

  /**
   * Files a report.
   * @throws AppError VALIDATION_FAILED (missing ids for the target; reporting oneself or one's own message; a
   *   system message); USER_NOT_FOUND (unknown or deleted person); CONVERSATION_NOT_FOUND (not a conversation of
   *   the reporter); NOT_FOUND (no such message, or one the reporter may not read)
   */
  async create(reporterId: string, input: CreateReportDto): Promise<Report> {
    let record: CreateReportInput;
    if (input.target === 'user') {
      if (!input.userId) throw invalid('userId', 'is required when target is user');
      if (input.userId === reporterId) throw invalid('userId', 'cannot be yourself');
      const user = await this.users.findById(input.userId);
      if (!user || user.deletedAt) throw new AppError(ErrorCode.USER_NOT_FOUND, 'User not found.');
      record = {
        target: 'user',
        reporterId,
        reportedUserId: user.id,
        conversationId: null,
        seq: null,
        messageBody: null,
        messageSentAt: null,
        reason: input.reason,
      };
    } else {
      if (!input.conversationId)
        throw invalid('conversationId', 'is required when target is message');
      if (input.seq === undefined) throw invalid('seq', 'is required when target is message');
      const { untilSeq } = await this.access.requireRead(input.conversationId, reporterId);
      if (untilSeq !== undefined && input.seq > untilSeq) throw messageNotFound();
      const page = await this.messages.listPage(input.conversationId, {
        after: input.seq - 1,
        limit: 1,
        ...(untilSeq !== undefined ? { untilSeq } : {}),
      });
      const message = page.items.find((m) => m.seq === input.seq);
      if (!message) throw messageNotFound();
      if (message.kind !== 'text') throw invalid('seq', 'names a system message');
      if (message.senderId === reporterId) throw invalid('seq', 'names your own message');
      record = {
        target: 'message',
        reporterId,
        reportedUserId: message.senderId,
        conversationId: message.conversationId,
        seq: message.seq,
        messageBody: message.body,
        messageSentAt: message.createdAt,
        reason: input.reason,
      };
    }
    const created = await this.instance.createReport(record);
    return (await this.admin.toReports([created]))[0]!;
  }
}

function invalid(field: string, reason: string): AppError {
  return new AppError(ErrorCode.VALIDATION_FAILED, `${field} ${reason}.`, { [field]: [reason] });
}

function messageNotFound(): AppError {
  return new AppError(ErrorCode.NOT_FOUND, 'Message not found.');
}
