// Home: the packs on sale and how buying works.
import Link from "next/link";
import { PackGrid } from "@/components/pack-grid";
import { LoadFailed, PageSection } from "@/components/page-section";
import { getSession } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { listActivePackages } from "@/lib/db/rpc/credits";

export const dynamic = "force-dynamic";

const STEPS = [
  {
    title: "Create an account",
    body: "An e-mail and a password. Credits you paid for before signing up are added automatically.",
  },
  {
    title: "Pick a pack",
    body: "Pay once, securely, with Stripe Checkout. A pack has a fixed price and never renews; monthly plans are in your wallet.",
  },
  {
    title: "Use your credits",
    body: "Your balance updates the moment the payment is confirmed. Every change is in your ledger.",
  },
];

export default async function HomePage() {
  // The database down: the page still explains the product, and says the packs could not be loaded.
  const [session, packs] = await Promise.all([
    getSession().catch(() => null),
    listActivePackages(getDb()).catch(() => undefined),
  ]);
  return (
    <div className="space-y-14">
      <section className="max-w-2xl">
        <h1 className="text-3xl font-semibold tracking-tight text-slate-900 sm:text-4xl">
          Credits, when you need them.
        </h1>
        <p className="mt-3 text-lg text-slate-600">
          Buy a pack of credits once, spend them as you go, and see every credit that came in or went out.
        </p>
        {!session && (
          <div className="mt-6 flex flex-wrap gap-3">
            <Link
              href="/signup"
              className="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700"
            >
              Create an account
            </Link>
            <Link
              href="/login"
              className="rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-800 hover:bg-slate-50"
            >
              Sign in
            </Link>
          </div>
        )}
      </section>

      <PageSection id="packs" title="Packs" roomy>
        {packs ? <PackGrid packs={packs} canBuy={session !== null} /> : <LoadFailed what="Packs" />}
      </PageSection>

      <PageSection id="how" title="How it works" roomy>
        <ol className="grid gap-4 sm:grid-cols-3">
          {STEPS.map((step, index) => (
            <li key={step.title} className="rounded-2xl border border-slate-200 bg-white p-5">
              <span className="grid size-8 place-items-center rounded-full bg-indigo-50 text-sm font-semibold text-indigo-700">
                {index + 1}
              </span>
              <h3 className="mt-3 font-semibold text-slate-900">{step.title}</h3>
              <p className="mt-1 text-sm text-slate-600">{step.body}</p>
            </li>
          ))}
        </ol>
      </PageSection>
    </div>
  );
}
