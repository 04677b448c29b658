/**
 * The console's only way to Herald: the public /v1 API, with the session cookie and, on every
 * write, the CSRF token the sign-in handed out. Errors come back as ApiError with Herald's own
 * code and message (see docs/architecture.md, "Errors"), which pages show as they are.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
/** Called by the sign-in and by /auth/me: the token every write of this session must carry. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Listeners told when a call answers 401 (the session ended): the shell shows the sign-in. */
const unauthorised = new Set<() => void>();
export function onUnauthorised(listener: () => void): () => void {
  unauthorised.add(listener);
  return () => unauthorised.delete(listener);
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  init?: RequestInit,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let payload: BodyInit | undefined;
  if (body instanceof FormData || body instanceof Blob) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(`/v1${path}`, {
    method,
    headers,
    body: payload,
    credentials: 'same-origin',
    ...init,
  });
  if (response.status === 401 && path !== '/auth/login') for (const l of unauthorised) l();
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; details?: unknown } })
      ?.error;
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? response.statusText,
      error?.details,
    );
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => call<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body?: unknown, init?: RequestInit) =>
    call<T>('POST', path, body ?? {}, init),
  put: <T>(path: string, body?: unknown) => call<T>('PUT', path, body ?? {}),
  patch: <T>(path: string, body?: unknown) => call<T>('PATCH', path, body ?? {}),
  del: <T>(path: string, body?: unknown) => call<T>('DELETE', path, body),
  /** A raw body (a file upload) with its own content type. */
  send: <T>(method: string, path: string, body: Blob, init?: RequestInit) =>
    call<T>(method, path, body, init),
};

/** The URL of an API resource for a plain link or download (same origin, cookie-authenticated). */
export const apiUrl = (path: string, query?: Query) => withQuery(`/v1${path}`, query);
