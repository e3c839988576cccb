/** An outgoing webhook delivery's status: delivered, being retried (or waiting), or failed after the last retry. */
import { Badge } from "@/components/badge";
import type { DeliveryStatus } from "@/lib/db/rpc/outgoing-webhooks";

export function DeliveryStatusBadge({ status, attempts }: { status: DeliveryStatus; attempts: number }) {
  if (status === "succeeded") return <Badge tone="good">delivered</Badge>;
  if (status === "failed") return <Badge tone="bad">failed</Badge>;
  return <Badge tone="waiting">{attempts === 0 ? "queued" : "retrying"}</Badge>;
}
