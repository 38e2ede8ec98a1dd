import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AttachmentsModule } from './attachments/attachments.module.js';
import { AuthModule } from './auth/auth.module.js';
import { JwtAuthGuard } from './auth/jwt-auth.guard.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { loggingModule } from './common/logging.js';
import { LiveStateModule } from './live-state/live-state.module.js';
import { createValidationPipe } from './common/validation.js';
import { AppConfig } from './config/app-config.js';
import { AppConfigModule } from './config/config.module.js';
import { ConversationsModule } from './conversations/conversations.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { InstanceModule } from './instance/instance.module.js';
import { AdminModule } from './admin/admin.module.js';
import { AccountModule } from './account/account.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { PrivacyModule } from './privacy/privacy.module.js';
import { RealtimeCoreModule } from './realtime/realtime-core.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { RedisModule } from './redis/redis.module.js';
import { StorageModule } from './storage/storage.module.js';
import { UsersModule } from './users/users.module.js';

/**
 * The application, built from an already-validated config so tests pass their own (no environment patching).
 * Global pieces: the JWT guard (every route needs a token unless `@Public()`), the ValidationPipe (whitelist,
 * forbidNonWhitelisted, transform; failures become VALIDATION_FAILED) and the exception filter (ApiErrorBody).
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggingModule(config),
        StorageModule.forRoot({ databaseUrl: config.databaseUrl }),
        EventsModule,
        RedisModule,
        RealtimeCoreModule,
        InstanceModule,
        AuthModule,
        UsersModule,
        ConversationsModule,
        PrivacyModule,
        MessagesModule,
        AttachmentsModule,
        RealtimeModule,
        LiveStateModule,
        HealthModule,
        AdminModule,
        AccountModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
