"use server";
// Server Actions: cookies() can set cookies here, so sessions loaded from it can be saved.
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { users } from "@/lib/sessions";

/** Signs in with the form's name: a new session id and cookie, then on to the account page. */
export async function login(form: FormData): Promise<void> {
  const session = await users.get(await cookies());
  session.name = String(form.get("name") ?? "").trim().slice(0, 100);
  session.signedInAt = new Date();
  await session.regenerate(); // saves, under a new id for server stores: the session-fixation defence
  redirect("/account");
}

/** Signs out: the session's data and cookie go. */
export async function logout(): Promise<void> {
  const session = await users.get(await cookies());
  await session.destroy();
  redirect("/login");
}
