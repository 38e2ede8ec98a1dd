import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import {
  ErrorCode,
  type Page,
  type PublicUser,
  type SelfUser,
  type UserProfile,
} from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { ParseIdPipe } from '../common/ids.js';
import { UpdateProfileDto } from './dto/update-profile.dto.js';
import { UserSearchQueryDto } from './dto/user-search.query.js';
import { UsersService } from './users.service.js';
import { ApiRoute } from '../openapi/api-route.decorator.js';

/** /api/users: own profile, others' profiles and the directory. */
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @ApiRoute({
    summary: 'The signed-in person',
    auth: 'bearer',
    success: { status: 200, description: 'SelfUser' },
  })
  @Get('me')
  me(@CurrentUser() caller: AuthUser): Promise<SelfUser> {
    return this.users.getSelf(caller.userId);
  }

  @ApiRoute({
    summary: 'Change my display name',
    auth: 'bearer',
    success: { status: 200, description: 'SelfUser' },
    validates: true,
  })
  @Patch('me')
  update(@CurrentUser() caller: AuthUser, @Body() body: UpdateProfileDto): Promise<SelfUser> {
    return this.users.updateProfile(caller.userId, body.displayName);
  }

  @ApiRoute({
    summary: 'Search people by username or display name',
    auth: 'bearer',
    success: { status: 200, description: 'Page<PublicUser>, never including the caller' },
    validates: true,
  })
  @Get()
  search(
    @CurrentUser() caller: AuthUser,
    @Query() query: UserSearchQueryDto,
  ): Promise<Page<PublicUser>> {
    return this.users.search(caller.userId, query);
  }

  @ApiRoute({
    summary: "Someone's profile, with the groups we are both in",
    auth: 'bearer',
    success: { status: 200, description: 'UserProfile' },
    errors: [ErrorCode.USER_NOT_FOUND],
    validates: true,
  })
  @Get(':id')
  profile(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<UserProfile> {
    return this.users.getProfile(caller.userId, id);
  }
}
