import { Body, Controller, Delete, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { type ConversationSummary, ErrorCode } from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ParseIdPipe } from '../common/ids.js';
import { AddMembersDto, CreateGroupDto, UpdateGroupDto, UpdateMemberDto } from './dto/group.dto.js';
import { GroupsService } from './groups.service.js';
import { ApiRoute, GROUP_ADMIN_ERRORS } from '../openapi/api-route.decorator.js';

/**
 * Group routes under /api/conversations. Every answer is the group as
 * the caller sees it after the change; the access rules live in GroupsService / ConversationsService.
 */
@Controller('conversations')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @ApiRoute({
    summary: 'Create a group',
    auth: 'bearer',
    success: { status: 201, description: 'ConversationSummary' },
    errors: [ErrorCode.MEMBER_LIMIT_EXCEEDED, ErrorCode.USER_NOT_FOUND],
    validates: true,
  })
  @Post('group')
  @HttpCode(201)
  create(
    @CurrentUser() caller: AuthUser,
    @Body() body: CreateGroupDto,
  ): Promise<ConversationSummary> {
    return this.groups.create(caller.userId, body);
  }

  @ApiRoute({
    summary: 'Rename a group (admins)',
    auth: 'bearer',
    success: { status: 200, description: 'ConversationSummary' },
    errors: [...GROUP_ADMIN_ERRORS],
    validates: true,
  })
  @Patch(':id')
  rename(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() body: UpdateGroupDto,
  ): Promise<ConversationSummary> {
    return this.groups.rename(caller.userId, id, body.title);
  }

  @ApiRoute({
    summary: 'Add people to a group (admins)',
    auth: 'bearer',
    success: { status: 200, description: 'ConversationSummary' },
    errors: [
      ...GROUP_ADMIN_ERRORS,
      ErrorCode.USER_NOT_FOUND,
      ErrorCode.ALREADY_MEMBER,
      ErrorCode.MEMBER_LIMIT_EXCEEDED,
    ],
    validates: true,
  })
  @Post(':id/members')
  @HttpCode(200)
  addMembers(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() body: AddMembersDto,
  ): Promise<ConversationSummary> {
    return this.groups.addMembers(caller.userId, id, body.userIds);
  }

  @ApiRoute({
    summary: "Remove someone from a group (admins; one's own id means leaving)",
    auth: 'bearer',
    success: { status: 200, description: 'ConversationSummary' },
    errors: [...GROUP_ADMIN_ERRORS, ErrorCode.NOT_A_MEMBER],
    validates: true,
  })
  @Delete(':id/members/:userId')
  removeMember(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Param('userId', ParseIdPipe) userId: string,
  ): Promise<ConversationSummary> {
    return this.groups.removeMember(caller.userId, id, userId);
  }

  @ApiRoute({
    summary: 'Promote or demote a member (admins)',
    description: 'The last admin cannot step down (400 VALIDATION_FAILED).',
    auth: 'bearer',
    success: { status: 200, description: 'ConversationSummary' },
    errors: [...GROUP_ADMIN_ERRORS, ErrorCode.NOT_A_MEMBER],
    validates: true,
  })
  @Patch(':id/members/:userId')
  setRole(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Param('userId', ParseIdPipe) userId: string,
    @Body() body: UpdateMemberDto,
  ): Promise<ConversationSummary> {
    return this.groups.setRole(caller.userId, id, userId, body.role);
  }

  @ApiRoute({
    summary: 'Leave a group',
    auth: 'bearer',
    success: { status: 200, description: "ConversationSummary with status 'left'" },
    errors: [ErrorCode.NOT_A_GROUP, ErrorCode.MEMBERSHIP_ENDED, ErrorCode.CONVERSATION_NOT_FOUND],
    validates: true,
  })
  @Post(':id/leave')
  @HttpCode(200)
  leave(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<ConversationSummary> {
    return this.groups.leave(caller.userId, id);
  }
}
