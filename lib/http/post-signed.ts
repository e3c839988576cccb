/**
 * The local test checkout and test gateway deliver their signed events to our
 * own webhook over HTTP, exactly as the provider would: at APP_URL (never an
 * origin taken from a request), and without following redirects, so a signed
 * event cannot be steered to another host.
 */
export class SelfDeliveryError extends Error {}

/** POSTs a JSON body with the given signature headers to `path` on `origin` (APP_URL); throws unless the webhook accepted it (a redirect is a refusal). */
export async function postSignedToOwnWebhook(
  origin: string,
  path: string,
  payload: string,
  signatureHeaders: Record<string, string>,
): Promise<void> {
  const response = await fetch(new URL(path, origin), {
    method: "POST",
    headers: { "content-type": "application/json", ...signatureHeaders },
    body: payload,
    redirect: "manual",
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new SelfDeliveryError(`the webhook answered ${response.status}`);
}
