// The schemas stored values are checked against: a version's data fields as they may be stored, plus the
// flash list and CSRF token a session keeps next to them. Built once per definition (or version).
import { z } from "zod";
import { DEFAULT_FLASH_KEY as FLASH_KEY } from "../session/session.ts";
import { CSRF_KEY } from "../session/csrf.ts";
import type { DataSchema, SessionDefinition, ZodSchemaLike } from "./define-session.ts";

function storedShape(data: DataSchema): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(data.shape)) {
    shape[key] = (field as z.ZodType)._zod.optin === undefined ? (field as z.ZodType).optional() : (field as z.ZodType);
  }
  return shape;
}

/**
 * Builds the schema of a version's data fields as they are stored, without the flash list and CSRF token
 * (stripped as unknown keys): fields that are required and have no default become optional, so a session
 * saved before they were set stays valid. What migrations parse older versions' data with.
 */
export function dataValuesSchema(data: DataSchema): z.ZodObject {
  return z.object(storedShape(data));
}

/**
 * Builds the schema stored values are checked against: the data fields (fields that are required and have no
 * default become optional, so a session saved before they were set stays valid) the flash list and the
 * CSRF token (`_csrf`, see csrfToken), which would otherwise be stripped as an unknown key.
 */
export function storedValuesSchema(data: DataSchema, flash: ZodSchemaLike | undefined): z.ZodObject {
  const shape = storedShape(data);
  shape[FLASH_KEY] = z.array((flash as z.ZodType | undefined) ?? z.unknown()).optional();
  shape[CSRF_KEY] = z.string().optional();
  return z.object(shape);
}

const storedSchemas = new WeakMap<SessionDefinition, z.ZodObject>();

/** The {@link storedValuesSchema} of a definition's current version, built once per definition. */
export function storedSchemaOf(definition: SessionDefinition): z.ZodObject {
  let schema = storedSchemas.get(definition);
  if (schema === undefined) {
    schema = storedValuesSchema(definition.data, definition.flash);
    storedSchemas.set(definition, schema);
  }
  return schema;
}

/** Removes the flash list and CSRF token from parsed values when they were absent (what a session holds then). */
export function finishValues(data: Record<string, unknown>): Record<string, unknown> {
  if (data[FLASH_KEY] === undefined) delete data[FLASH_KEY];
  if (data[CSRF_KEY] === undefined) delete data[CSRF_KEY];
  return data;
}
