/** Short JSON answers. Never a stack trace: callers pass a fixed message. */
export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

export function jsonError(status: number, error: string, headers?: HeadersInit): Response {
  return json({ error }, status, headers);
}
