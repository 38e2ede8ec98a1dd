import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';

/** GET /api/health; StorageHealth comes from the global StorageModule. */
@Module({ controllers: [HealthController] })
export class HealthModule {}
