import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ErrorCode,
  type AdminUserView,
  type InstanceInfo,
  type InstanceSettings,
  type Invite,
  type Page,
  type Report,
} from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Public } from '../auth/public.decorator.js';
import { ParseIdPipe } from '../common/ids.js';
import { InstanceAdmins } from '../instance/instance-admins.js';
import { ApiRoute } from '../openapi/api-route.decorator.js';
import { AdminService } from './admin.service.js';
import {
  AdminPageQueryDto,
  AdminUserQueryDto,
  CreateInviteDto,
  CreateReportDto,
  ReportQueryDto,
  UpdateInstanceSettingsDto,
} from './dto/admin.dto.js';
import { InstanceAdminGuard } from './instance-admin.guard.js';
import { ReportsService } from './reports.service.js';

const ADMIN = [ErrorCode.INSTANCE_ADMIN_REQUIRED];

/** /api/admin: instance administration. Every route needs an instance administrator (InstanceAdminGuard). */
@UseGuards(InstanceAdminGuard)
@Controller('admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @ApiRoute({
    summary: 'Instance settings (registration mode)',
    auth: 'bearer',
    success: { status: 200, description: 'InstanceSettings' },
    errors: ADMIN,
  })
  @Get('settings')
  settings(): Promise<InstanceSettings> {
    return this.admin.settings();
  }

  @ApiRoute({
    summary: 'Change the registration mode',
    description: 'Stored in the database; wins over REGISTRATION_MODE from then on.',
    auth: 'bearer',
    success: { status: 200, description: 'InstanceSettings' },
    errors: ADMIN,
    validates: true,
  })
  @Put('settings')
  updateSettings(@Body() body: UpdateInstanceSettingsDto): Promise<InstanceSettings> {
    return this.admin.setRegistrationMode(body.registrationMode);
  }

  @ApiRoute({
    summary: 'Invite links, newest first',
    auth: 'bearer',
    success: { status: 200, description: 'Page<Invite>' },
    errors: ADMIN,
    validates: true,
  })
  @Get('invites')
  invites(@Query() query: AdminPageQueryDto): Promise<Page<Invite>> {
    return this.admin.listInvites(query);
  }

  @ApiRoute({
    summary: 'Create an invite link',
    auth: 'bearer',
    success: { status: 201, description: 'Invite' },
    errors: ADMIN,
    validates: true,
  })
  @Post('invites')
  @HttpCode(201)
  createInvite(@CurrentUser() caller: AuthUser, @Body() body: CreateInviteDto): Promise<Invite> {
    return this.admin.createInvite(caller.userId, body.expiresInHours, body.maxUses);
  }

  @ApiRoute({
    summary: 'Revoke an invite link',
    auth: 'bearer',
    success: { status: 200, description: 'Invite' },
    errors: [...ADMIN, ErrorCode.NOT_FOUND],
    validates: true,
  })
  @Post('invites/:id/revoke')
  @HttpCode(200)
  revokeInvite(@Param('id', ParseIdPipe) id: string): Promise<Invite> {
    return this.admin.revokeInvite(id);
  }

  @ApiRoute({
    summary: 'Accounts (active and deactivated), by username',
    auth: 'bearer',
    success: { status: 200, description: 'Page<AdminUserView>' },
    errors: ADMIN,
    validates: true,
  })
  @Get('users')
  users(@Query() query: AdminUserQueryDto): Promise<Page<AdminUserView>> {
    return this.admin.listUsers(query);
  }

  @ApiRoute({
    summary: 'Deactivate an account',
    description:
      'Revokes its sessions (sockets get session:expired ACCOUNT_DEACTIVATED), refuses its sign-in, shows it as ' +
      'deactivated to others. Not for oneself or another instance administrator.',
    auth: 'bearer',
    success: { status: 200, description: 'AdminUserView' },
    errors: [...ADMIN, ErrorCode.USER_NOT_FOUND, ErrorCode.FORBIDDEN],
    validates: true,
  })
  @Post('users/:id/deactivate')
  @HttpCode(200)
  deactivate(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<AdminUserView> {
    return this.admin.deactivate(caller.userId, id);
  }

  @ApiRoute({
    summary: 'Reactivate an account',
    auth: 'bearer',
    success: { status: 200, description: 'AdminUserView' },
    errors: [...ADMIN, ErrorCode.USER_NOT_FOUND],
    validates: true,
  })
  @Post('users/:id/reactivate')
  @HttpCode(200)
  reactivate(@Param('id', ParseIdPipe) id: string): Promise<AdminUserView> {
    return this.admin.reactivate(id);
  }

  @ApiRoute({
    summary: 'Reports, newest first (optionally one status)',
    auth: 'bearer',
    success: { status: 200, description: 'Page<Report>' },
    errors: ADMIN,
    validates: true,
  })
  @Get('reports')
  reports(@Query() query: ReportQueryDto): Promise<Page<Report>> {
    return this.admin.listReports(query);
  }

  @ApiRoute({
    summary: 'Mark a report resolved',
    auth: 'bearer',
    success: { status: 200, description: 'Report' },
    errors: [...ADMIN, ErrorCode.NOT_FOUND],
    validates: true,
  })
  @Post('reports/:id/resolve')
  @HttpCode(200)
  resolveReport(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<Report> {
    return this.admin.resolveReport(caller.userId, id);
  }
}

/** /api/reports: anyone signed in reports a person or a message to the instance administrators. */
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @ApiRoute({
    summary: 'Report a person or a message to the instance administrators',
    description:
      'target "user" needs userId; target "message" needs conversationId and seq of a text message the caller ' +
      'can read (a copy of its text goes with the report).',
    auth: 'bearer',
    success: { status: 201, description: 'Report' },
    errors: [ErrorCode.USER_NOT_FOUND, ErrorCode.CONVERSATION_NOT_FOUND, ErrorCode.NOT_FOUND],
    validates: true,
  })
  @Post()
  @HttpCode(201)
  create(@CurrentUser() caller: AuthUser, @Body() body: CreateReportDto): Promise<Report> {
    return this.reports.create(caller.userId, body);
  }
}

/** /api/instance: what anyone may know about the instance before signing in. */
@Public()
@Controller('instance')
export class InstanceController {
  constructor(private readonly admins: InstanceAdmins) {}

  @ApiRoute({
    summary: 'The registration mode (for the register page)',
    auth: 'none',
    success: { status: 200, description: 'InstanceInfo' },
  })
  @Get()
  async info(): Promise<InstanceInfo> {
    return { registrationMode: (await this.admins.registrationMode()).mode };
  }
}
