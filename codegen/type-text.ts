import type { FieldModel, TypeModel } from "./model.ts";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Writes a property name: bare when it is an identifier, a JSON string otherwise. */
export function propertyName(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function literalText(value: string | number | boolean | bigint | null | undefined): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}

function needsParens(type: TypeModel): boolean {
  return type.kind === "union" || type.kind === "nullable" || type.kind === "optional" || type.kind === "intersection" || (type.kind === "literal" && type.values.length > 1);
}

/** Writes `{ a: T; b?: U | undefined }` for an object type's fields. */
export function fieldsText(fields: readonly FieldModel[]): string {
  if (fields.length === 0) return "Record<string, never>";
  const parts = fields.map((field) =>
    field.optional ? `${propertyName(field.name)}?: ${typeText(field.type)} | undefined` : `${propertyName(field.name)}: ${typeText(field.type)}`,
  );
  return `{ ${parts.join("; ")} }`;
}

/** Writes a type model as TypeScript type text. */
export function typeText(type: TypeModel): string {
  switch (type.kind) {
    case "date":
      return "Date";
    case "string":
    case "number":
    case "boolean":
    case "bigint":
    case "null":
    case "undefined":
    case "unknown":
    case "never":
      return type.kind;
    case "literal":
      return type.values.length === 0 ? "never" : type.values.map(literalText).join(" | ");
    case "array": {
      const element = typeText(type.element);
      return needsParens(type.element) ? `(${element})[]` : `${element}[]`;
    }
    case "tuple": {
      const items = type.items.map(typeText);
      if (type.rest !== undefined) items.push(`...${needsParens(type.rest) ? `(${typeText(type.rest)})` : typeText(type.rest)}[]`);
      return `[${items.join(", ")}]`;
    }
    case "object":
      return fieldsText(type.fields);
    case "record":
      return `Record<${typeText(type.key)}, ${typeText(type.value)}>`;
    case "map":
      return `Map<${typeText(type.key)}, ${typeText(type.value)}>`;
    case "set":
      return `Set<${typeText(type.value)}>`;
    case "union":
      return type.options.map((option) => (option.kind === "intersection" ? `(${typeText(option)})` : typeText(option))).join(" | ");
    case "intersection":
      return [type.left, type.right].map((part) => (needsParens(part) ? `(${typeText(part)})` : typeText(part))).join(" & ");
    case "nullable":
      return `${typeText(type.inner)} | null`;
    case "optional":
      return `${typeText(type.inner)} | undefined`;
  }
}
