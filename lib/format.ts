/** How amounts, credits and times read on every page. */

/** Minor units → "$25.00", honouring zero-decimal currencies (JPY) and three-decimal ones. */
export function formatMoney(amountMinor: number, currency: string): string {
  const format = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amountMinor / 10 ** digits);
}

export function formatCredits(credits: number): string {
  return `${credits.toLocaleString("en-US")} credit${Math.abs(credits) === 1 ? "" : "s"}`;
}

/** Dates are rendered on the server, so they say which zone they are in. */
export function formatDateTime(date: Date): string {
  return `${date.toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })} UTC`;
}

/** A day without the time ("Dec 20, 2026"), in UTC like formatDateTime. */
export function formatDate(date: Date): string {
  return date.toLocaleDateString("en-US", { dateStyle: "medium", timeZone: "UTC" });
}
