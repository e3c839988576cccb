/** A purchase's status in words a buyer understands. */
import type { PurchaseRow } from "@/lib/db/rpc/credits";
import { Badge, type BadgeTone } from "./badge";

const LABELS: Record<PurchaseRow["status"], { label: string; tone: BadgeTone }> = {
  completed: { label: "Completed", tone: "good" },
  pending_user: { label: "Awaiting account", tone: "waiting" },
  partially_refunded: { label: "Partially refunded", tone: "info" },
  refunded: { label: "Refunded", tone: "neutral" },
  disputed: { label: "Disputed", tone: "bad" },
  reversed: { label: "Reversed", tone: "bad" },
};

export function StatusBadge({ status }: { status: PurchaseRow["status"] }) {
  const { label, tone } = LABELS[status];
  return <Badge tone={tone}>{label}</Badge>;
}
