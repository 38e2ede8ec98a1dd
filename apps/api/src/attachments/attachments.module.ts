import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { ScheduleModule } from '@nestjs/schedule';
import { AuthModule } from '../auth/auth.module.js';
import { AppConfig } from '../config/app-config.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { AttachmentsCleanup } from './attachments-cleanup.js';
import { AttachmentsController } from './attachments.controller.js';
import { AttachmentsService } from './attachments.service.js';
import { AvatarsController, GroupAdminGuard } from './avatars.controller.js';
import { AvatarsService } from './avatars.service.js';
import { FileStorage } from './file-storage.js';
import { FileStorageModule } from './file-storage.module.js';
import { LocalFileStorage } from './local-file-storage.js';
import { MediaAuthGuard } from './media-auth.guard.js';
import { ScratchFileEngine } from './scratch-file.engine.js';
import { UploadPreconditionsGuard } from './upload-preconditions.guard.js';

/**
 * Attachments and avatars: uploads through multer (Nest's FileInterceptor) into scratch files, type sniffing,
 * image re-encoding with sharp, FileStorage on the local disk under UPLOAD_DIR, authorised downloads, and the
 * periodic removal of attachments never sent. Repositories come from the global StorageModule.
 *
 * Multer limits (every upload route): one file (`files: 1`) in the field `file`, no other fields or parts,
 * UPLOAD_MAX_FILE_BYTES per file; UTF-8 file names (multer's default would read them as Latin-1).
 */
@Module({
  imports: [
    AuthModule,
    ConversationsModule,
    FileStorageModule,
    ScheduleModule.forRoot(),
    MulterModule.registerAsync({
      imports: [FileStorageModule],
      inject: [AppConfig, FileStorage],
      useFactory: (config: AppConfig, storage: FileStorage) => {
        if (!(storage instanceof LocalFileStorage))
          throw new Error('uploads need LocalFileStorage');
        return {
          storage: new ScratchFileEngine(storage),
          defParamCharset: 'utf8',
          limits: { fileSize: config.uploadMaxFileBytes, files: 1, fields: 0, parts: 1 },
        };
      },
    }),
  ],
  controllers: [AttachmentsController, AvatarsController],
  providers: [
    AttachmentsService,
    AvatarsService,
    AttachmentsCleanup,
    MediaAuthGuard,
    UploadPreconditionsGuard,
    GroupAdminGuard,
  ],
  exports: [AttachmentsService, AvatarsService],
})
export class AttachmentsModule {}
