import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'chat:isPublic';

/**
 * Marks a route (or a whole controller) as reachable without an access token. Every other route requires one:
 * the JWT guard is global (APP_GUARD), so forgetting a decorator fails closed. Idea: nestjs/nest sample 19-auth-jwt.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
