/** A small fetch client for the agent API: bearer or cookie session (with its CSRF token). */
export interface ApiCaller {
  (method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

export function bearerClient(base: string, token: string): ApiCaller {
  return (method, path, body, headers = {}) => fetch(`${base}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Signs in like the console: keeps the session cookie, sends the CSRF token unless told not to. */
export async function sessionClient(base: string, email: string, password: string): Promise<{ call: ApiCaller; cookie: string; csrf: string; login: Response }> {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  const setCookie = login.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const csrf = login.ok ? ((await login.clone().json()) as { csrfToken: string }).csrfToken : '';
  const call: ApiCaller = (method, path, body, headers = {}) => fetch(`${base}/api/v1${path}`, {
    method, headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { call, cookie, csrf, login };
}
