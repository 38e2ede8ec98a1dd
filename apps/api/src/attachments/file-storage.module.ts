import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { FileStorage } from './file-storage.js';
import { LocalFileStorage } from './local-file-storage.js';

/** Provides FileStorage: the local-disk driver under UPLOAD_DIR, its folders created while the app starts. */
@Module({
  providers: [
    {
      provide: FileStorage,
      inject: [AppConfig],
      useFactory: async (config: AppConfig): Promise<FileStorage> => {
        const storage = new LocalFileStorage(config.uploadDir);
        await storage.init();
        return storage;
      },
    },
  ],
  exports: [FileStorage],
})
export class FileStorageModule {}
