/** A tiny JSON client for tests that talk to a real service over HTTP. */
export type Reply = { status: number; body: Record<string, unknown>; headers: Headers };

export const httpClient = (baseUrl: string) => {
  const send = async (
    method: string,
    path: string,
    options: { body?: unknown; token?: string; apiKey?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
      headers: response.headers,
    };
  };
  return {
    get: (path: string, options?: Parameters<typeof send>[2]) => send('GET', path, options),
    post: (path: string, body: unknown, options?: Parameters<typeof send>[2]) =>
      send('POST', path, { ...options, body }),
    put: (path: string, body: unknown, options?: Parameters<typeof send>[2]) =>
      send('PUT', path, { ...options, body }),
    delete: (path: string, body: unknown, options?: Parameters<typeof send>[2]) =>
      send('DELETE', path, { ...options, body }),
  };
};
