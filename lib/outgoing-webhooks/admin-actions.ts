"use server";
/**
 * /admin/webhooks: add an endpoint (its secret shown once), choose its event
 * types, disable or enable it, rotate its secret, send a test event, replay a
 * delivery. Next accepts server actions only from a same-origin POST; the admin
 * check is repeated in each.
 */
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { requireAdmin } from "@/lib/auth";
import { DatabaseError, DatabaseUnavailableError, getDb } from "@/lib/db";
import {
  createWebhookEndpoint,
  OUTGOING_EVENT_TYPES,
  replayWebhookDelivery,
  rotateWebhookEndpointSecret,
  sendTestWebhookEvent,
  updateWebhookEndpoint,
} from "@/lib/db/rpc/outgoing-webhooks";
import { deliverWebhooksSoon, strictUrls } from "./index";
import { endpointUrlProblem } from "./url-policy";

const PAGE = "/admin/webhooks";
const UNAVAILABLE = "The database did not answer. Please try again in a moment.";

/** A secret shown once: in this response, never again. */
export interface SecretState {
  shown?: { id: string; url: string; secret: string };
  error?: string;
  /** Bumped on every success so the form can clear its fields. */
  serial?: number;
}

const eventTypes = z
  .array(z.enum(OUTGOING_EVENT_TYPES))
  .min(1, "Choose at least one event type.")
  .max(OUTGOING_EVENT_TYPES.length);

const newEndpoint = z.object({
  url: z.string().trim().min(1, "Enter the endpoint's URL.").max(2000, "A URL has at most 2000 characters."),
  description: z.string().trim().max(200, "A description has at most 200 characters."),
  event_types: eventTypes,
});

export async function createEndpointAction(previous: SecretState, form: FormData): Promise<SecretState> {
  await requireAdmin(PAGE);
  const input = newEndpoint.safeParse({
    url: form.get("url") ?? "",
    description: form.get("description") ?? "",
    event_types: form.getAll("event_types"),
  });
  if (!input.success) return { error: input.error.issues[0].message };
  const problem = endpointUrlProblem(input.data.url, { strict: strictUrls() });
  if (problem) return { error: `The URL ${problem}.` };
  try {
    const { id, secret } = await createWebhookEndpoint(
      getDb(),
      input.data.url,
      input.data.event_types,
      input.data.description || null,
    );
    // the form refreshes the list itself (see lib/api-keys/actions.ts on revalidatePath in useActionState actions)
    return { shown: { id, url: input.data.url, secret }, serial: (previous.serial ?? 0) + 1 };
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) return { error: UNAVAILABLE };
    if (error instanceof DatabaseError && error.code === "22023") return { error: "Check the URL and event types." };
    throw error;
  }
}

const endpointId = z.uuid();

export async function rotateSecretAction(previous: SecretState, form: FormData): Promise<SecretState> {
  await requireAdmin(PAGE);
  const id = endpointId.safeParse(form.get("id"));
  if (!id.success) return { error: "Unknown endpoint." };
  try {
    const { secret } = await rotateWebhookEndpointSecret(getDb(), id.data);
    return { shown: { id: id.data, url: "", secret }, serial: (previous.serial ?? 0) + 1 };
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) return { error: UNAVAILABLE };
    if (error instanceof DatabaseError && error.code === "P0002") return { error: "That endpoint no longer exists." };
    throw error;
  }
}

/** Runs a change and goes back to the page with ?done=… or ?error=…. */
async function changeAndReturn(done: string, change: () => Promise<unknown>, anchor = ""): Promise<never> {
  let problem: string | undefined;
  try {
    await change();
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) problem = "unavailable";
    else if (error instanceof DatabaseError && (error.code === "P0002" || error.code === "22023")) problem = "invalid";
    else throw error;
  }
  if (problem) redirect(`${PAGE}?error=${problem}${anchor}`);
  revalidatePath(PAGE);
  redirect(`${PAGE}?done=${done}${anchor}`);
}

export async function setEndpointEnabledAction(form: FormData): Promise<void> {
  await requireAdmin(PAGE);
  const id = endpointId.safeParse(form.get("id"));
  const enabled = form.get("enabled") === "true";
  if (!id.success) redirect(`${PAGE}?error=invalid`);
  await changeAndReturn(enabled ? "enabled" : "disabled", async () => {
    await updateWebhookEndpoint(getDb(), id.data, { enabled });
    if (enabled) deliverWebhooksSoon();
  });
}

export async function updateEventTypesAction(form: FormData): Promise<void> {
  await requireAdmin(PAGE);
  const id = endpointId.safeParse(form.get("id"));
  const types = eventTypes.safeParse(form.getAll("event_types"));
  if (!id.success) redirect(`${PAGE}?error=invalid`);
  if (!types.success) redirect(`${PAGE}?error=no-types`);
  await changeAndReturn("types", () => updateWebhookEndpoint(getDb(), id.data, { eventTypes: types.data }));
}

export async function sendTestEventAction(form: FormData): Promise<void> {
  await requireAdmin(PAGE);
  const id = endpointId.safeParse(form.get("id"));
  if (!id.success) redirect(`${PAGE}?error=invalid`);
  await changeAndReturn("test", async () => {
    await sendTestWebhookEvent(getDb(), id.data);
    deliverWebhooksSoon();
  });
}

export async function replayDeliveryAction(form: FormData): Promise<void> {
  await requireAdmin(PAGE);
  const id = z.uuid().safeParse(form.get("id"));
  if (!id.success) redirect(`${PAGE}?error=invalid`);
  let replayed = false;
  try {
    replayed = await replayWebhookDelivery(getDb(), id.data);
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) redirect(`${PAGE}?error=unavailable`);
    throw error;
  }
  if (!replayed) redirect(`${PAGE}?error=in-flight`);
  deliverWebhooksSoon();
  revalidatePath(PAGE);
  redirect(`${PAGE}?done=replayed#deliveries-heading`);
}
