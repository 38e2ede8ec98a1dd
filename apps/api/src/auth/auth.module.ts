import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '../config/app-config.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtStrategy } from './jwt.strategy.js';
import { PasswordService } from './password.service.js';
import { SessionLiveness } from './session-liveness.js';
import { JWT_ALGORITHM, TokensService } from './tokens.service.js';

/**
 * Authentication: the /api/auth routes, password hashing, tokens and the passport-jwt strategy used by the
 * global JwtAuthGuard (registered in AppModule). Exports TokensService and SessionLiveness (the one live-session
 * rule) for the Socket.IO gateways and the media guard.
 */
@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: JWT_ALGORITHM },
        verifyOptions: { algorithms: [JWT_ALGORITHM] },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, PasswordService, TokensService, SessionLiveness, JwtStrategy],
  exports: [TokensService, SessionLiveness, PasswordService],
})
export class AuthModule {}
