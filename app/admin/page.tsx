// /admin has no page of its own: the event log is where admins start.
import { redirect } from "next/navigation";

export default function AdminIndex(): never {
  redirect("/admin/events");
}
