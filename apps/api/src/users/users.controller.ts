import { Body, Controller, Get, Patch, Query } from '@nestjs/common';
import type { Page, PublicUser, SelfUser } from '@chat/shared';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { UpdateProfileDto } from './dto/update-profile.dto.js';
import { UserSearchQueryDto } from './dto/user-search.query.js';
import { UsersService } from './users.service.js';

/** /api/users: own profile and the directory. */
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** 200 SelfUser. */
  @Get('me')
  me(@CurrentUser() caller: AuthUser): Promise<SelfUser> {
    return this.users.getSelf(caller.userId);
  }

  /** 200 SelfUser after changing the display name. */
  @Patch('me')
  update(@CurrentUser() caller: AuthUser, @Body() body: UpdateProfileDto): Promise<SelfUser> {
    return this.users.updateProfile(caller.userId, body.displayName);
  }

  /** 200 Page<PublicUser>, never including the caller. */
  @Get()
  search(
    @CurrentUser() caller: AuthUser,
    @Query() query: UserSearchQueryDto,
  ): Promise<Page<PublicUser>> {
    return this.users.search(caller.userId, query);
  }
}
