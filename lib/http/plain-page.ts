/**
 * A page served by middleware, without React or the database: plain HTML with
 * its own few styles in the app's colours (lib/http/unavailable-page.ts,
 * lib/http/config-problem-page.ts).
 */
import { NextResponse } from "next/server";

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f8fafc;color:#0f172a;
    font-family:ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;-webkit-font-smoothing:antialiased}
  main{max-width:34rem;padding:2rem 1.5rem;text-align:center}
  main.wide{max-width:46rem;text-align:left}
  .kicker{margin:0;font-size:.875rem;font-weight:600;color:#b45309}
  h1{margin:.5rem 0 0;font-size:1.5rem;line-height:2rem;font-weight:600;letter-spacing:-.025em}
  p.lead{margin:.5rem 0 0;color:#475569;line-height:1.5rem}
  p.lead code{color:#334155}
  ul.problems{margin:1.25rem 0 0;padding:0;list-style:none;display:grid;gap:.5rem}
  ul.problems li{border:1px solid #fecaca;background:#fff;border-radius:.75rem;padding:.75rem 1rem;line-height:1.4rem}
  code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.875em;font-weight:600;color:#b91c1c}
  .actions{margin-top:1.5rem;display:flex;gap:.75rem;justify-content:center;flex-wrap:wrap}
  a{border-radius:.5rem;padding:.5rem 1rem;font-size:.875rem;font-weight:600;text-decoration:none}
  a.primary{background:#4f46e5;color:#fff} a.primary:hover{background:#6366f1}
  a:focus-visible{outline:2px solid #4f46e5;outline-offset:2px}
`;

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

interface PlainPage {
  title: string;
  /** The HTML inside <main> (escape what comes from outside with escapeHtml). */
  main: string;
  wide?: boolean;
  status: number;
  headers?: Record<string, string>;
}

export function plainPage({ title, main, wide, status, headers }: PlainPage): NextResponse {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Credits</title>
<style>${STYLE}</style>
</head>
<body>
<main${wide ? ' class="wide"' : ""}>
${main}
</main>
</body>
</html>
`;
  return new NextResponse(html, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}
