/**
 * The page a signed-in person gets, as a 503, while the database does not
 * answer (lib/auth/middleware.ts): their session cannot be checked, so no page
 * of theirs can load, and sending them to /login would say they are signed out.
 * Plain HTML with its own few styles (the app's colours): it is served by
 * middleware, without React or the database, and says nothing about the cause.
 */
import { NextResponse } from "next/server";

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f8fafc;color:#0f172a;
    font-family:ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;-webkit-font-smoothing:antialiased}
  main{max-width:34rem;padding:2rem 1.5rem;text-align:center}
  .kicker{margin:0;font-size:.875rem;font-weight:600;color:#b45309}
  h1{margin:.5rem 0 0;font-size:1.5rem;line-height:2rem;font-weight:600;letter-spacing:-.025em}
  p.lead{margin:.5rem 0 0;color:#475569;line-height:1.5rem}
  .actions{margin-top:1.5rem;display:flex;gap:.75rem;justify-content:center;flex-wrap:wrap}
  a{border-radius:.5rem;padding:.5rem 1rem;font-size:.875rem;font-weight:600;text-decoration:none}
  a.primary{background:#4f46e5;color:#fff} a.primary:hover{background:#6366f1}
  a:focus-visible{outline:2px solid #4f46e5;outline-offset:2px}
`;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** `retryPath`: the page asked for (path and query, from the request), linked by "Try again". */
export function unavailablePage(retryPath: string, retryAfterSeconds = 30): NextResponse {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Temporarily unavailable · Credits</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="kicker">Temporarily unavailable</p>
<h1>We can't load your account right now</h1>
<p class="lead">Your credits are safe. Payments that arrive meanwhile are kept by the payment provider and added as soon as we are back. Please try again in a minute.</p>
<div class="actions">
<a class="primary" href="${escapeHtml(retryPath)}">Try again</a>
</div>
</main>
</body>
</html>
`;
  return new NextResponse(html, {
    status: 503,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "retry-after": String(retryAfterSeconds),
    },
  });
}
