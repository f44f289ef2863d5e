// The proxy (Next.js 16's new name for middleware; it runs on the Node.js runtime): visitors without a
// session go to /login. It reads the session cookie through the library, from the NextRequest (a Request).
import { type NextRequest, NextResponse } from "next/server";
import { users } from "@/lib/sessions";

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const session = await users.get(request);
  if (session.isNew) return NextResponse.redirect(new URL("/login", request.url));
  return NextResponse.next();
}

export const config = { matcher: ["/account/:path*"] };
