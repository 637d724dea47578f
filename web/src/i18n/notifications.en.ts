import type { NotificationsMessages } from './notifications.zh-CN.ts';

/** English notification preferences page; same keys as notifications.zh-CN.ts (checked by the type). */
export const notificationsEn: NotificationsMessages = {
  menu: 'Notification settings',
  title: 'My notification settings',
  intro: 'Choose which channels reach you for each severity. The inbox (bell) always keeps every notification; this decides pop-ups, e-mail, SMS and group robots.',
  severity: {
    critical: 'Critical',
    warning: 'Warning',
    info: 'Notice',
  },
  severityHint: {
    critical: 'Critical and major IoT alarms, major hazards',
    warning: 'Minor and warning alarms, overdue reminders',
    info: 'Assignments, approvals and other everyday messages',
  },
  channel: {
    in_app: 'In-app pop-up',
    email: 'E-mail',
    sms: 'SMS',
    robot: 'DingTalk / WeCom group (@me)',
  },
  lockedWhy: 'Critical in-app pop-ups cannot be switched off: a gas leak must reach everyone who is online at once, not depend on a pop-up someone switched off months ago.',
  storm: 'During an alarm storm (many alarms from one source in a short time) the first few are sent one by one, then one summary per window; the inbox still keeps every item.',
  save: 'Save',
  reset: 'Back to defaults',
  saved: 'Saved',
  default: 'Default',
};
