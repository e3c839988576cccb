// GET /api/v1/balance (Bearer API key): the key owner's balance.
import { getBalance } from "@/lib/spend-api/routes";

export const dynamic = "force-dynamic";

export const GET = getBalance;
