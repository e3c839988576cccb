// Pass-through for now; session refresh and route protection arrive with accounts.
import { NextResponse } from "next/server";

export function middleware(): NextResponse {
  return NextResponse.next();
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
