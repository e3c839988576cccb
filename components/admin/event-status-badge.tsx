import { Badge, type BadgeTone } from "@/components/badge";
import type { EventStatus } from "@/lib/db/rpc/webhook-events";

const TONE: Record<EventStatus, BadgeTone> = {
  processed: "good",
  ignored: "neutral",
  failed: "bad",
  received: "waiting",
  rejected: "warning",
};

export function EventStatusBadge({ status }: { status: EventStatus }) {
  return <Badge tone={TONE[status]}>{status}</Badge>;
}
