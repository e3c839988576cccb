/** The request a provider sends to its webhook route, as the route handlers receive it. */

/** The body as sent: a string as it is (to test bytes the route must refuse), anything else as JSON. */
export const payloadOf = (body: string | object): string => (typeof body === "string" ? body : JSON.stringify(body));

/**
 * A POST of `payload` (JSON unless `headers` names another content-type) to `/api/<provider>/webhook` (or `url`), with `headers`; a header whose
 * value is null is left out (to test a missing signature).
 */
export function webhookRequest(
  provider: string,
  payload: string,
  headers: Record<string, string | null>,
  url = `http://localhost/api/${provider}/webhook`,
): Request {
  const sent = new Headers({ "content-type": "application/json" });
  for (const [name, value] of Object.entries(headers)) if (value !== null) sent.set(name, value);
  return new Request(url, { method: "POST", headers: sent, body: payload });
}

/** The test's own signature header when it gives one (null: send none), else a valid one. */
export const signatureOr = (given: string | null | undefined, valid: () => string): string | null =>
  given !== undefined ? given : valid();
