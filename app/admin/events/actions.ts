"use server";
// Server actions for the event log. Next accepts them only from a same-origin POST
// (Origin must match Host), which is the CSRF defence; the admin check is inside each call.
import { revalidatePath } from "next/cache";
import { getSession } from "@/lib/auth";
import { retryAllFailedAsAdmin, retryEventAsAdmin, type RetryFormState } from "@/lib/admin/retry";

export async function retryEventAction(_previous: RetryFormState, form: FormData): Promise<RetryFormState> {
  const id = form.get("id");
  const state = await retryEventAsAdmin(await getSession(), id);
  if (typeof id === "string") revalidatePath(`/admin/events/${id}`);
  return state;
}

export async function retryAllFailedAction(_previous: RetryFormState): Promise<RetryFormState> {
  const state = await retryAllFailedAsAdmin(await getSession());
  revalidatePath("/admin/events");
  return state;
}
