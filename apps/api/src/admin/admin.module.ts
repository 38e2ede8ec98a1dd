import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { AdminController, InstanceController, ReportsController } from './admin.controller.js';
import { AdminService } from './admin.service.js';
import { InstanceAdminGuard } from './instance-admin.guard.js';
import { ReportsService } from './reports.service.js';

/** Instance administration (/api/admin), reports (/api/reports) and the public instance info (/api/instance). */
@Module({
  imports: [ConversationsModule],
  controllers: [AdminController, ReportsController, InstanceController],
  providers: [AdminService, ReportsService, InstanceAdminGuard],
})
export class AdminModule {}
