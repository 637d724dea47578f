/**
 * One error type for the whole app. `code` is stable (clients and tests match on it); the HTTP status
 * and the zh-CN/en message come from the tables below, in one place.
 */
export const errorCodes = {
  validation_failed: 400,
  bad_request: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  account_locked: 423,
  forbidden: 403,
  out_of_scope: 403,
  not_found: 404,
  conflict: 409,
  version_conflict: 409,
  already_exists: 409,
  idempotency_key_reused: 422,
  precondition_required: 428,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  import_failed: 422,
  notice_mixed_departments: 422,
  pdf_font_missing: 503,
  workflow_definition_invalid: 400,
  workflow_not_published: 422,
  workflow_no_approver: 422,
  workflow_not_assignee: 403,
  workflow_not_applicant: 403,
  workflow_task_decided: 409,
  workflow_instance_finished: 409,
  risk_no_band: 422,
  checkpoint_code_unknown: 404,
  checkpoint_code_rotated: 404,
  checkpoint_archived: 404,
  checkpoint_out_of_range: 422,
  checkpoint_mismatch: 422,
  permit_refused: 422,
  training_refused: 409,
  ingest_busy: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;
export type Locale = 'zh-CN' | 'en';

const messages: Record<ErrorCode, Record<Locale, string>> = {
  validation_failed: { 'zh-CN': '输入有误，请检查标出的字段', en: 'The input is invalid; see the fields listed' },
  bad_request: { 'zh-CN': '请求无效', en: 'Bad request' },
  unauthenticated: { 'zh-CN': '请先登录', en: 'Please sign in' },
  invalid_credentials: { 'zh-CN': '用户名或密码错误', en: 'Wrong username or password' },
  account_locked: { 'zh-CN': '登录失败次数过多，账号已临时锁定', en: 'Too many failed sign-ins; the account is locked for a while' },
  forbidden: { 'zh-CN': '没有执行此操作的权限', en: 'You do not have permission to do this' },
  out_of_scope: { 'zh-CN': '该数据不在您的数据权限范围内', en: 'This record is outside your data scope' },
  not_found: { 'zh-CN': '记录不存在', en: 'Not found' },
  conflict: { 'zh-CN': '操作与当前状态冲突', en: 'The request conflicts with the current state' },
  version_conflict: { 'zh-CN': '记录已被他人修改，请刷新后重试', en: 'Someone else changed this record; reload and try again' },
  already_exists: { 'zh-CN': '记录已存在', en: 'Already exists' },
  idempotency_key_reused: { 'zh-CN': '幂等键已用于另一个请求', en: 'This Idempotency-Key was used for a different request' },
  precondition_required: { 'zh-CN': '缺少版本号（If-Match）', en: 'A version (If-Match) is required' },
  payload_too_large: { 'zh-CN': '内容过大', en: 'Payload too large' },
  unsupported_media_type: { 'zh-CN': '不支持的文件类型', en: 'Unsupported file type' },
  rate_limited: { 'zh-CN': '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  import_failed: { 'zh-CN': '导入失败，未写入任何数据', en: 'Import failed; nothing was written' },
  notice_mixed_departments: { 'zh-CN': '一份整改通知书只能包含同一责任部门的隐患', en: 'One rectification notice covers the hazards of one responsible department only' },
  pdf_font_missing: { 'zh-CN': '服务器缺少中文字体，无法生成 PDF', en: 'The server has no Chinese (CJK) font, so it cannot make the PDF' },
  workflow_definition_invalid: { 'zh-CN': '审批流程定义有误，请检查标出的节点', en: 'The flow definition is invalid; see the nodes listed' },
  workflow_not_published: { 'zh-CN': '该审批流程尚未发布或已停用', en: 'This approval flow is not published or is archived' },
  workflow_no_approver: { 'zh-CN': '审批节点找不到审批人，请联系管理员检查流程或组织架构', en: 'No approver could be found for an approval step; ask an administrator to check the flow or the org tree' },
  workflow_not_assignee: { 'zh-CN': '只有该审批任务的处理人才能办理', en: 'Only the person this approval task is assigned to may act on it' },
  workflow_not_applicant: { 'zh-CN': '只有申请人才能执行此操作', en: 'Only the applicant may do this' },
  workflow_task_decided: { 'zh-CN': '该审批任务已处理', en: 'This approval task has already been dealt with' },
  workflow_instance_finished: { 'zh-CN': '该审批已结束', en: 'This approval has already ended' },
  risk_no_band: { 'zh-CN': '风险值不在该评价方法的任何分级区间内，请检查分级配置', en: 'The score falls in no band of this assessment method; check the band configuration' },
  checkpoint_code_unknown: { 'zh-CN': '无法识别的巡检点二维码', en: 'This checkpoint code is not known' },
  checkpoint_code_rotated: { 'zh-CN': '该巡检点二维码已更换，请扫描现场张贴的新标签', en: 'This checkpoint label was replaced; scan the new label on site' },
  checkpoint_archived: { 'zh-CN': '该巡检点已停用', en: 'This checkpoint is no longer in use' },
  checkpoint_out_of_range: { 'zh-CN': '当前位置不在巡检点允许范围内', en: 'Your position is outside the area allowed for this checkpoint' },
  checkpoint_mismatch: { 'zh-CN': '扫描的不是本项检查对应的巡检点', en: 'This is not the checkpoint of this check' },
  permit_refused: { 'zh-CN': '作业票安全规则不允许此操作', en: 'The permit safety rules do not allow this' },
  training_refused: { 'zh-CN': '培训规则不允许此操作', en: 'The training rules do not allow this' },
  ingest_busy: { 'zh-CN': '数据接收繁忙，请稍后重试', en: 'Ingestion is busy; retry shortly' },
  internal: { 'zh-CN': '服务器内部错误', en: 'Internal server error' },
};

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, detail?: string, opts?: { errors?: FieldError[]; extra?: Record<string, unknown> }) {
    super(detail ?? code);
    this.code = code;
    this.status = errorCodes[code];
    this.errors = opts?.errors;
    this.extra = opts?.extra;
  }
}

export function errorTitle(code: ErrorCode, locale: Locale): string {
  return messages[code][locale];
}

/** Picks zh-CN or en from an Accept-Language header; Chinese first. */
export function localeFrom(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'zh-CN';
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh-CN';
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const forbidden = (permission: string) =>
  new AppError('forbidden', `missing permission ${permission}`, { extra: { permission } });
export const invalid = (field: string, rule: string, message: string) =>
  new AppError('validation_failed', message, { errors: [{ field, rule, message }] });
