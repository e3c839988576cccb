/**
 * Outgoing webhooks through the real routes, in process: Stripe delivers a
 * paid checkout (and redelivers it, also under a new event id), the sweep
 * (GET /api/cron/webhooks) sends what is due, and the receiver gets exactly one
 * credits.granted whose signature standardwebhooks verifies.
 */
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as cronSweep } from "@/app/api/cron/webhooks/route";
import { POST } from "@/app/api/stripe/webhook/route";
import { createWebhookEndpoint } from "@/lib/db/rpc/outgoing-webhooks";
import { createUser, targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { WEBHOOK_SECRET, checkoutSession, signedRequest, stripeEvent, uid } from "../helpers/stripe";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";

describe.each(targets)("outgoing webhooks from provider events on %s", (target) => {
  const t = useRouteSuite(target, () => ({
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    CRON_SECRET: "cron-secret-for-tests",
  }));
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => receiver?.close());

  const sweep = async () => {
    const response = await cronSweep(
      new Request("http://localhost/api/cron/webhooks", { headers: { authorization: "Bearer cron-secret-for-tests" } }),
    );
    expect(response.status).toBe(200);
    return (await response.json()) as { outgoing: unknown };
  };

  it("sends one signed credits.granted for a paid checkout however often Stripe delivers it", async () => {
    const { secret } = await createWebhookEndpoint(t.db, receiver.url, ["credits.granted"]);
    const user = await createUser(t.db, `${uid("buyer")}@example.com`);
    const session = checkoutSession({ client_reference_id: user, metadata: { package_id: "starter" } });
    const event = stripeEvent("checkout.session.completed", session);
    for (let i = 0; i < 3; i++) expect((await POST(signedRequest(event))).status).toBe(200);
    // the same payment under another event id (Stripe's retries keep the id; a resend may not) grants nothing either
    const again = stripeEvent("checkout.session.completed", session);
    expect((await POST(signedRequest(again))).status).toBe(200);

    expect((await sweep()).outgoing).toEqual({ succeeded: 1, failed: 0 });
    expect((await sweep()).outgoing).toEqual({ succeeded: 0, failed: 0 });
    expect(receiver.received).toHaveLength(1);
    const delivered = new Webhook(secret).verify(
      receiver.received[0].body,
      receiver.received[0].headers as Record<string, string>,
    ) as { type: string; data: Record<string, unknown> };
    expect(delivered).toMatchObject({
      type: "credits.granted",
      data: { user_id: user, credits: 100, balance: 100, provider: "stripe", kind: "purchase" },
    });
  });
});
