import { Global, Module } from '@nestjs/common';
import { InstanceAdmins } from './instance-admins.js';

/**
 * Who administers the instance and who may register (InstanceAdmins), for every module: auth asks it at
 * registration, profiles say whether the caller is an administrator, admin routes require one.
 */
@Global()
@Module({
  providers: [InstanceAdmins],
  exports: [InstanceAdmins],
})
export class InstanceModule {}
