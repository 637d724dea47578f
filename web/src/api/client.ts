/**
 * The one HTTP client of the web app. The session is the HttpOnly `sl_session` cookie set by the server,
 * so nothing secret is stored in the browser; every call is same-origin with `credentials: 'same-origin'`.
 * Errors arrive as RFC 9457 problem+json and become `ApiError` with the stable `code` and field errors.
 */

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

export interface RowError {
  sheet: string;
  row: number;
  field: string;
  /** The column's heading in the template, where the import names it. */
  column?: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail?: string;
  errors?: FieldError[];
  rowErrors?: RowError[];
  [extra: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The server's localized title for the code (Accept-Language). */
  readonly title: string;
  /** The specific reason; may be English-only on the server side, so show it after the title. */
  readonly detail: string;
  readonly errors: FieldError[];
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title || problem.code);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title || problem.detail || problem.code;
    this.detail = problem.detail || problem.title || problem.code;
    this.errors = problem.errors ?? [];
    this.problem = problem;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** "Title: detail" when the detail adds something, else the title alone. */
export function errorText(e: ApiError): string {
  return e.detail && e.detail !== e.title ? `${e.title}：${e.detail}` : e.title;
}

// The language is owned by i18n; the client only needs the current value for Accept-Language.
let currentLanguage = 'zh-CN';
export function setApiLanguage(lang: string): void {
  currentLanguage = lang;
}

// Called once per 401 on a signed-in call (session expired, logged out in another tab): the app drops
// the cached user and the router sends the user to the login page.
let onUnauthenticated: (() => void) | null = null;
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** FormData is sent as multipart (uploads); anything else as JSON. */
  form?: FormData;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not trigger the sign-in redirect on 401 (login itself, the initial /me probe). */
  allow401?: boolean;
}

export function apiUrl(path: string, query?: Query): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return `/api/v1${path}${s ? `?${s}` : ''}`;
}

async function toProblem(res: Response): Promise<Problem> {
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const body = (await res.json()) as Partial<Problem>;
      return { ...body, status: body.status ?? res.status, code: body.code ?? `http_${res.status}` };
    } catch {
      // Fall through: a proxy may answer with a broken body.
    }
  }
  return { status: res.status, code: res.status === 0 ? 'network' : `http_${res.status}`, detail: res.statusText };
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': currentLanguage, ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.form) {
    body = opts.form;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(apiUrl(path, opts.query), { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError({ status: 0, code: 'network', detail: e instanceof Error ? e.message : String(e) });
  }
  if (res.status === 401 && !opts.allow401) onUnauthenticated?.();
  if (!res.ok) throw new ApiError(await toProblem(res));
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, opts?: Omit<RequestOptions, 'query'>) => request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body }),
  delete: <T = void>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
};

/** A cursor page as every list endpoint returns it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
