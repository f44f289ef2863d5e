/** The payloads the codec benchmarks share. */

/** A typical small session: three fields. */
export const smallPayload = { name: "kataras", visits: 42, admin: false };

/** About 1 KB as JSON: 20 cart items, a Date and nested preferences. */
export const largePayload = {
  user: { id: 1234, name: "Gerasimos Maropoulos", email: "kataras@example.com" },
  lastSeen: new Date("2026-11-26T07:33:54.000Z"),
  cart: Array.from({ length: 20 }, (_, i) => ({ sku: `SKU-${1000 + i}-BLUE-XL`, qty: (i % 3) + 1, gift: i % 5 === 0 })),
  prefs: { theme: "dark", locale: "en-US", notifications: { email: true, push: false } },
};
