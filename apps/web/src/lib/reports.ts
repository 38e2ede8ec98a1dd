import type { Report } from '@chat/shared';
import type { ApiEndpoints } from './api-endpoints';

/**
 * Reports a message to the instance administrators (POST /api/reports, target `message`): what a message's menu
 * calls. The server checks the caller can read it, keeps a copy of its text, and refuses system messages and the
 * caller's own (VALIDATION_FAILED).
 * @param reason 1..LIMITS.REPORT_REASON_MAX characters
 * @throws ApiError as ApiEndpoints.report
 */
export function reportMessage(
  api: Pick<ApiEndpoints, 'report'>,
  message: { conversationId: string; seq: number },
  reason: string,
): Promise<Report> {
  return api.report({
    target: 'message',
    conversationId: message.conversationId,
    seq: message.seq,
    reason: reason.trim(),
  });
}

/** Reports a person (POST /api/reports, target `user`). @throws ApiError as ApiEndpoints.report */
export function reportPerson(
  api: Pick<ApiEndpoints, 'report'>,
  userId: string,
  reason: string,
): Promise<Report> {
  return api.report({ target: 'user', userId, reason: reason.trim() });
}

/**
 * Saves a Blob as a file through a temporary object URL and a clicked <a download> (the browser's own download).
 */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
