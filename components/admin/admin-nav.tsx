/** The admin sub-navigation, in the site header's link style; it wraps onto a second line on a phone. */
import { NavLink } from "@/components/nav-link";

export function AdminNav() {
  return (
    <nav aria-label="Admin" className="flex flex-wrap gap-1 text-sm">
      <NavLink href="/admin/users">Users</NavLink>
      <NavLink href="/admin/events">Events</NavLink>
      <NavLink href="/admin/metrics">Metrics</NavLink>
      <NavLink href="/admin/deposits">Deposits</NavLink>
      <NavLink href="/admin/webhooks">Webhooks</NavLink>
    </nav>
  );
}
