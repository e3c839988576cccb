/**
 * The page a signed-in person gets, as a 503, while the database does not
 * answer (lib/auth/middleware.ts): their session cannot be checked, so no page
 * of theirs can load, and sending them to /login would say they are signed out.
 * Served by middleware, without React or the database, and says nothing about the cause.
 */
import type { NextResponse } from "next/server";
import { escapeHtml, plainPage } from "./plain-page";

/** `retryPath`: the page asked for (path and query, from the request), linked by "Try again". */
export function unavailablePage(retryPath: string, retryAfterSeconds = 30): NextResponse {
  return plainPage({
    title: "Temporarily unavailable",
    status: 503,
    headers: { "retry-after": String(retryAfterSeconds) },
    main: `<p class="kicker">Temporarily unavailable</p>
<h1>We can't load your account right now</h1>
<p class="lead">Your credits are safe. Payments that arrive meanwhile are kept by the payment provider and added as soon as we are back. Please try again in a minute.</p>
<div class="actions">
<a class="primary" href="${escapeHtml(retryPath)}">Try again</a>
</div>`,
  });
}
