import { IsIn } from 'class-validator';
import {
  NOTIFICATION_LEVELS,
  type NotificationLevel,
  type NotificationLevelRequest,
} from '@chat/shared';

/** PUT /api/conversations/:id/notification-level body: one of NOTIFICATION_LEVELS. */
export class NotificationLevelDto implements NotificationLevelRequest {
  @IsIn(NOTIFICATION_LEVELS)
  level: NotificationLevel;
}
