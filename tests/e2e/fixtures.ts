/**
 * Playwright's test with one client address per test: the server trusts one
 * proxy hop (TRUST_PROXY=1 in playwright.config.ts), so the last
 * X-Forwarded-For entry is "the visitor", and each test is its own visitor for
 * the per-IP sign-in / sign-up limits, as real visitors are.
 */
import { test as base } from "@playwright/test";

let next = 0;
export function visitorAddress(): string {
  next += 1;
  return `10.${process.pid % 250}.${Math.floor(next / 250) % 250}.${(next % 250) + 1}`;
}

export const test = base.extend<{ visitor: string }>({
  visitor: [
    async ({ context }, use) => {
      const address = visitorAddress();
      await context.setExtraHTTPHeaders({ "x-forwarded-for": address });
      await use(address);
    },
    { auto: true },
  ],
});

export { expect } from "@playwright/test";
