/** What a stored TradingView alert looks like (written by verify.ts, re-read on retry). */
import { z } from "zod";

export const tradingViewPayloadSchema = z.object({
  id: z.string().regex(/^tv_[0-9a-f]{64}$/),
  format: z.enum(["json", "text"]),
  alert: z.record(z.string(), z.unknown()),
  text: z.string().optional(),
});
export type TradingViewPayload = z.infer<typeof tradingViewPayloadSchema>;
