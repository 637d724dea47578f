/** 通知偏好页面（zh-CN 为主，notifications.en.ts 同键）。 */
export const notificationsZhCN = {
  menu: '通知设置',
  title: '我的通知设置',
  intro: '选择每种级别的通知通过哪些渠道送达您。收件箱（铃铛）始终保留全部通知，这里决定的是弹窗、邮件、短信和群机器人。',
  severity: {
    critical: '紧急',
    warning: '警告',
    info: '通知',
  },
  severityHint: {
    critical: '紧急和重要的物联网报警、重大隐患',
    warning: '次要和提示级报警、逾期提醒',
    info: '任务指派、审批等日常消息',
  },
  channel: {
    in_app: '应用内弹窗',
    email: '邮件',
    sms: '短信',
    robot: '钉钉/企业微信群（@我）',
  },
  lockedWhy: '紧急通知的应用内弹窗不能关闭：可燃气体泄漏等紧急报警必须让在线的每个人立即看到，不能因为几个月前关掉了弹窗而错过。',
  storm: '报警风暴时（同一来源短时间内大量报警），前几条逐条发送，之后每个时间窗口只发一条汇总，收件箱中仍保留每一条。',
  save: '保存',
  reset: '恢复默认',
  saved: '已保存',
  default: '默认',
};
export type NotificationsMessages = typeof notificationsZhCN;
