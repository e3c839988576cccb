/**
 * Where outgoing webhooks may go (SPEC §6d, §7): in production only https://
 * URLs whose every resolved address is public; checked at send time after DNS,
 * and the connection goes to the address that was checked (a name that
 * rebinds to 127.0.0.1 a moment later cannot redirect it); no redirects; a
 * time limit. OUTGOING_WEBHOOKS_ALLOW_PRIVATE=1 (strict: false) lifts the
 * address and scheme rules, as the local receivers of these tests need.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createWebhookEndpoint, getWebhookDelivery, listWebhookDeliveries } from "@/lib/db/rpc/outgoing-webhooks";
import { deliverWebhooks } from "@/lib/outgoing-webhooks/sender";
import {
  endpointUrlProblem,
  isPublicAddress,
  RefusedUrlError,
  vetDestination,
  type Resolver,
} from "@/lib/outgoing-webhooks/url-policy";
import { createUser } from "../helpers/databases";
import { grantStripePurchase, unique, useTestDatabase } from "../helpers/test-database";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";

const strict = { strict: true };
const answers =
  (table: Record<string, string[]>): Resolver =>
  async (host) => {
    const list = table[host];
    if (!list) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

describe("outgoing webhook URL policy", () => {
  it.each([
    ["127.0.0.1"],
    ["127.8.9.10"],
    ["10.0.0.1"],
    ["10.255.3.4"],
    ["172.16.5.5"],
    ["192.168.1.20"],
    ["169.254.169.254"], // the cloud metadata service
    ["100.100.100.200"], // carrier-grade NAT (Alibaba's metadata address)
    ["0.0.0.0"],
    ["224.0.0.1"],
    ["255.255.255.255"],
    ["::1"],
    ["::"],
    ["fe80::1"],
    ["fd00:ec2::254"], // AWS's IPv6 metadata address (unique local)
    ["::ffff:127.0.0.1"],
    ["::ffff:169.254.169.254"],
    ["64:ff9b::7f00:1"], // NAT64 of 127.0.0.1
    ["2002:7f00:1::"], // 6to4 of 127.0.0.1
  ])("refuses %s", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([["93.184.216.34"], ["8.8.8.8"], ["2606:4700:4700::1111"]])("allows the public address %s", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it("accepts only https:// URLs without credentials in production, and any http(s) URL otherwise", () => {
    expect(endpointUrlProblem("http://hooks.example.com/x", strict)).toMatch(/https/);
    expect(endpointUrlProblem("https://user:pw@hooks.example.com/x", strict)).toMatch(/password/);
    expect(endpointUrlProblem("https://127.0.0.1/x", strict)).toMatch(/loopback/);
    expect(endpointUrlProblem("https://[::1]/x", strict)).toMatch(/loopback/);
    expect(endpointUrlProblem("gopher://hooks.example.com", strict)).toMatch(/https/);
    expect(endpointUrlProblem("https://hooks.example.com/x", strict)).toBeNull();
    expect(endpointUrlProblem("http://10.0.0.5:8080/x", { strict: false })).toBeNull();
  });

  it("refuses a name that resolves to loopback, private or metadata addresses, or to any such address among public ones", async () => {
    const resolve = answers({
      "localhost.example.com": ["127.0.0.1"],
      "internal.example.com": ["10.1.2.3"],
      "metadata.example.com": ["169.254.169.254"],
      "mixed.example.com": ["93.184.216.34", "192.168.0.10"],
      "v6.example.com": ["::1"],
      "public.example.com": ["93.184.216.34"],
    });
    for (const host of [
      "localhost.example.com",
      "internal.example.com",
      "metadata.example.com",
      "mixed.example.com",
      "v6.example.com",
    ]) {
      await expect(vetDestination(`https://${host}/hook`, strict, resolve)).rejects.toThrow(RefusedUrlError);
    }
    await expect(vetDestination("https://public.example.com/hook", strict, resolve)).resolves.toEqual({
      address: "93.184.216.34",
      family: 4,
    });
    await expect(vetDestination("https://nowhere.example.com/hook", strict, resolve)).rejects.toThrow(/cannot resolve/);
    await expect(vetDestination("https://localhost.example.com/hook", { strict: false }, resolve)).resolves.toEqual({
      address: "127.0.0.1",
      family: 4,
    });
  });
});

describe("outgoing webhook sending refuses SSRF attempts", () => {
  const t = useTestDatabase("pglite");
  let receiver: WebhookReceiver;
  let other: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    other = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await other?.close();
  });
  beforeEach(async () => {
    await t.db.query("update public.webhook_endpoints set enabled = false");
    receiver.received.length = 0;
    other.received.length = 0;
  });

  const grantSomething = async () => {
    const user = await createUser(t.db, `ssrf-${unique()}@example.com`);
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
  };

  it.each([
    ["a loopback address", (port: number) => `https://127.0.0.1:${port}/hooks`],
    ["a private address", () => "https://10.0.0.8/hooks"],
    ["the metadata service", () => "https://169.254.169.254/latest/meta-data/"],
    ["plain http", (port: number) => `http://hooks.example.com:${port}/hooks`],
  ])("refuses %s in production, records why, and retries later", async (_, url) => {
    const endpoint = await createWebhookEndpoint(t.db, url(receiver.port), ["credits.granted"]);
    await grantSomething();
    expect(await deliverWebhooks(t.db, strict)).toEqual({ succeeded: 0, failed: 1 });
    expect(receiver.received).toHaveLength(0);
    const [delivery] = await listWebhookDeliveries(t.db, endpoint.id);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, last_status: null });
    expect(delivery.last_error).toMatch(/refused/);
  });

  it("refuses a DNS name that resolves to loopback in production, and sends to it when private addresses are allowed", async () => {
    const endpoint = await createWebhookEndpoint(t.db, `https://receiver.example.com:${receiver.port}/hooks`, [
      "credits.granted",
    ]);
    await grantSomething();
    const resolve = answers({ "receiver.example.com": ["127.0.0.1"] });
    expect(await deliverWebhooks(t.db, { ...strict, resolve })).toEqual({ succeeded: 0, failed: 1 });
    expect(receiver.received).toHaveLength(0);
    const [delivery] = await listWebhookDeliveries(t.db, endpoint.id);
    expect(delivery.last_error).toMatch(/receiver\.example\.com resolves to 127\.0\.0\.1/);
  });

  it("connects to the address it checked: a name that rebinds after the check cannot move the connection", async () => {
    // The name answers 127.0.0.1 once, then an address where nothing listens. The delivery still
    // reaches the receiver at 127.0.0.1 and the name is resolved once: the socket is pinned to the
    // checked address, nothing looks the name up again between the check and the connection.
    let lookups = 0;
    const rebinding: Resolver = async () => [{ address: lookups++ === 0 ? "127.0.0.1" : "192.0.2.1", family: 4 }];
    await createWebhookEndpoint(t.db, `http://rebind.example.com:${receiver.port}/hooks`, ["credits.granted"]);
    await grantSomething();
    expect(await deliverWebhooks(t.db, { strict: false, resolve: rebinding })).toEqual({ succeeded: 1, failed: 0 });
    expect(lookups).toBe(1);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0].path).toBe("/hooks");
  });

  it("does not follow a redirect", async () => {
    const endpoint = await createWebhookEndpoint(t.db, receiver.url, ["credits.granted"]);
    receiver.answers.push({ status: 307, headers: { location: other.url } });
    await grantSomething();
    expect(await deliverWebhooks(t.db, { strict: false })).toEqual({ succeeded: 0, failed: 1 });
    expect(receiver.received).toHaveLength(1);
    expect(other.received).toHaveLength(0);
    const [delivery] = await listWebhookDeliveries(t.db, endpoint.id);
    expect(delivery).toMatchObject({ status: "pending", last_status: 307 });
    expect(delivery.last_error).toMatch(/redirects are not followed/);
  });

  it("gives up on an answer that takes longer than the time limit", async () => {
    const endpoint = await createWebhookEndpoint(t.db, receiver.url, ["credits.granted"]);
    receiver.answers.push({ status: 200, delayMs: 2_000 });
    await grantSomething();
    expect(await deliverWebhooks(t.db, { strict: false, timeoutMs: 300 })).toEqual({ succeeded: 0, failed: 1 });
    const [delivery] = await listWebhookDeliveries(t.db, endpoint.id);
    const detail = await getWebhookDelivery(t.db, delivery.id);
    expect(detail?.attempt_log[0].error).toMatch(/no answer within 0.3 s/);
    expect(detail?.attempt_log[0].duration_ms).toBeLessThan(1_500);
  });
});
