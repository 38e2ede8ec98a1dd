import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AttachmentsService } from './attachments.service.js';

/** How often unsent attachments are looked for: every 5 minutes (they live ATTACHMENT_UNSENT_TTL_MINUTES). */
export const CLEANUP_INTERVAL_MS = 5 * 60_000;

/**
 * Periodic removal of attachments never sent (and of stale scratch files), through @nestjs/schedule. A failed
 * run is logged and retried at the next tick; runs never overlap.
 */
@Injectable()
export class AttachmentsCleanup {
  private readonly logger = new Logger(AttachmentsCleanup.name);
  private running = false;

  constructor(private readonly attachments: AttachmentsService) {}

  @Interval('attachments-cleanup', CLEANUP_INTERVAL_MS)
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.attachments.cleanupUnsent();
    } catch (error) {
      this.logger.error(error);
    } finally {
      this.running = false;
    }
  }
}
