import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type { SessionManager } from "../../src/session/manager.ts";
import { type KitchenSinkData, type KitchenSinkFlash, KitchenSinkSession, kitchenSink } from "../fixtures/schemas/kitchen-sink.gen.ts";
import { kitchenSink as definition } from "../fixtures/schemas/kitchen-sink.ts";
import {
  type AccountData,
  type AccountDataV2,
  type AccountDataV3,
  AccountSession,
  account,
  accountVersion,
} from "../fixtures/schemas/versioned.gen.ts";
import { account as accountDefinition, accountV2, accountV3, accountV4 } from "../fixtures/schemas/versioned.ts";
import { kitchenSinkVersion } from "../fixtures/schemas/kitchen-sink.gen.ts";
import { userVersion } from "../../schemas/user.gen.ts";
import { type UserData, UserSession, user } from "../../schemas/user.gen.ts";
import { user as userDefinition } from "../../schemas/user.ts";

/** Never called: its body is checked by tsc (`npm run typecheck`), each `@ts-expect-error` must be an error. */
function wrongAssignments(s: KitchenSinkSession, u: UserSession): void {
  // @ts-expect-error a number field takes numbers only
  s.count = "3";
  // @ts-expect-error enum values are checked
  s.role = "owner";
  // @ts-expect-error literal fields take their literal only
  s.version = 3;
  // @ts-expect-error a Date field does not take a string
  s.createdAt = "2024-01-01";
  // @ts-expect-error Map value types are checked
  s.seenBy = new Map([["a", "b"]]);
  // @ts-expect-error a bigint field does not take a number
  s.balance = 1;
  // @ts-expect-error nested object fields are checked
  s.address = { street: "Main", geo: { lat: "1", lng: 2 } };
  // @ts-expect-error flashes follow the flash schema
  s.addFlash({ level: "info", at: new Date() });
  // @ts-expect-error name is a string
  u.name = null;
  // @ts-expect-error unknown fields do not exist
  u.nickname = "k";
}

describe("generated types", () => {
  it("declare each data type equal to the schema's output type", () => {
    expectTypeOf<KitchenSinkData>().toEqualTypeOf<z.output<typeof definition.data>>();
    expectTypeOf<UserData>().toEqualTypeOf<z.output<typeof userDefinition.data>>();
    expectTypeOf<KitchenSinkFlash>().toEqualTypeOf<z.output<NonNullable<typeof definition.flash>>>();
    expectTypeOf(wrongAssignments).toBeFunction();
  });

  it("type each accessor as the field's output (required fields without a default may be unset)", () => {
    expectTypeOf<KitchenSinkSession["title"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<KitchenSinkSession["count"]>().toEqualTypeOf<number>();
    expectTypeOf<KitchenSinkSession["enabled"]>().toEqualTypeOf<boolean>();
    expectTypeOf<KitchenSinkSession["role"]>().toEqualTypeOf<"admin" | "member" | "guest">();
    expectTypeOf<KitchenSinkSession["idOrName"]>().toEqualTypeOf<number | string | undefined>();
    expectTypeOf<KitchenSinkSession["tags"]>().toEqualTypeOf<string[]>();
    expectTypeOf<KitchenSinkSession["scores"]>().toEqualTypeOf<Record<string, number>>();
    expectTypeOf<KitchenSinkSession["nickname"]>().toEqualTypeOf<string | null>();
    expectTypeOf<KitchenSinkSession["seenBy"]>().toEqualTypeOf<Map<string, Date> | undefined>();
    expectTypeOf<KitchenSinkSession["roles"]>().toEqualTypeOf<Set<"read" | "write"> | undefined>();
    expectTypeOf<KitchenSinkSession["balance"]>().toEqualTypeOf<bigint>();
    expectTypeOf<KitchenSinkSession["content-type"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<UserSession["name"]>().toEqualTypeOf<string>();
    expectTypeOf<UserSession["visits"]>().toEqualTypeOf<number>();
    expectTypeOf<UserSession["lastSeen"]>().toEqualTypeOf<Date | undefined>();
    expectTypeOf<UserSession["cart"]>().toEqualTypeOf<{ sku: string; qty: number }[]>();
  });

  it("declare the version as a literal and one data type per older version, equal to that version's schema output", () => {
    expectTypeOf(accountVersion).toEqualTypeOf<4>();
    expectTypeOf(kitchenSinkVersion).toEqualTypeOf<1>();
    expectTypeOf(userVersion).toEqualTypeOf<1>();
    expectTypeOf<AccountDataV2>().toEqualTypeOf<z.output<typeof accountV2>>();
    expectTypeOf<AccountDataV3>().toEqualTypeOf<z.output<typeof accountV3>>();
    expectTypeOf<AccountData>().toEqualTypeOf<z.output<typeof accountV4>>();
    expectTypeOf<AccountData>().toEqualTypeOf<z.output<typeof accountDefinition.data>>();
    expectTypeOf<AccountSession["tags"]>().toEqualTypeOf<("new" | "vip")[]>();
    expectTypeOf(account.sessions).returns.toEqualTypeOf<SessionManager<AccountSession>>();
  });

  it("keep the emitted version equal to the definition's at run time", () => {
    expect(accountVersion).toBe(accountDefinition.version);
    expect(kitchenSinkVersion).toBe(definition.version);
    expect(accountDefinition.versions.map((entry) => entry.version)).toEqual([2, 3, 4]);
  });

  it("type flashes and the bound manager", () => {
    expectTypeOf<ReturnType<UserSession["flashes"]>>().toEqualTypeOf<{ kind: "info" | "error"; text: string }[]>();
    expectTypeOf(user.sessions).returns.toEqualTypeOf<SessionManager<UserSession>>();
    expectTypeOf(kitchenSink.sessions).returns.toEqualTypeOf<SessionManager<KitchenSinkSession>>();
  });
});
