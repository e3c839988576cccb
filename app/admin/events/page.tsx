// /admin/events: the searchable webhook event log.
import type { Metadata } from "next";
import Link from "next/link";
import { EventFilters } from "@/components/admin/event-filters";
import { EventsTable } from "@/components/admin/events-table";
import { EmptyState } from "@/components/empty-state";
import { OlderLink } from "@/components/older-link";
import { Notice } from "@/components/notice";
import { LoadFailed } from "@/components/page-section";
import { PageTitle } from "@/components/page-title";
import { RetryForm } from "@/components/admin/retry-form";
import { loadEventPage, type EventPage } from "@/lib/admin/event-log";
import { eventsHref, hasFilters, parseEventSearch } from "@/lib/admin/event-search";
import { requireAdmin } from "@/lib/auth";
import { DatabaseError, DatabaseUnavailableError, getDb } from "@/lib/db";
import { retryAllFailedAction } from "./actions";

export const metadata: Metadata = { title: "Webhook events" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function EventsPage({ searchParams }: Props) {
  // The layout checks too, but a layout is not re-run on every navigation; each page guards itself.
  await requireAdmin();
  const search = parseEventSearch(await searchParams);

  let page: EventPage | undefined;
  try {
    page = await loadEventPage(getDb(), search);
  } catch (error) {
    if (!(error instanceof DatabaseUnavailableError || error instanceof DatabaseError)) throw error;
  }

  const filtered = hasFilters(search.values);
  return (
    <div className="space-y-5">
      <PageTitle
        title="Webhook events"
        lead="Every delivery from every provider, newest first. Open an event for its payload and attempts."
      >
        <RetryForm
          action={retryAllFailedAction}
          label="Retry all failed"
          pendingLabel="Retrying failed events…"
          variant="secondary"
        />
      </PageTitle>

      <EventFilters values={search.values} />

      {search.problems.length > 0 ? (
        <Notice tone="warning" title="Some filters were ignored">
          <ul className="list-inside list-disc">
            {search.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Notice>
      ) : null}

      {!page ? (
        <LoadFailed what="Events">
          The database did not answer. Providers&apos; deliveries are answered 503 meanwhile and will be redelivered;
          reload this page in a moment.
        </LoadFailed>
      ) : page.events.length === 0 ? (
        <EmptyState
          title={
            filtered ? "No events match these filters." : search.cursor ? "No older events." : "No webhook events yet."
          }
        >
          {filtered ? (
            <Link href="/admin/events" className="font-medium text-indigo-700 underline underline-offset-2">
              Clear the filters
            </Link>
          ) : (
            "Events appear here as soon as a provider calls one of the webhook routes."
          )}
        </EmptyState>
      ) : (
        <>
          <EventsTable events={page.events} />
          <OlderLink
            newest={eventsHref(search.values)}
            older={page.olderCursor ? eventsHref(search.values, page.olderCursor) : null}
            isFirstPage={!search.cursor}
          />
        </>
      )}
    </div>
  );
}
