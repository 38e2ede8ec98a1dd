import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/auth.types.js';
import { InstanceAdmins } from '../instance/instance-admins.js';

/**
 * Lets a request through only when the signed-in caller (the global JWT guard ran first) is an instance
 * administrator, read afresh on every request (a deactivation or an INSTANCE_ADMINS change takes effect at once).
 * @throws AppError INSTANCE_ADMIN_REQUIRED (403) otherwise
 */
@Injectable()
export class InstanceAdminGuard implements CanActivate {
  constructor(private readonly admins: InstanceAdmins) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    await this.admins.requireAdmin(request.user.userId);
    return true;
  }
}
