import { ObjectSlot } from "../internal/object-slot.ts";
import type { Serializer } from "../serializers/serializers.ts";
import { type SessionManager, sessions } from "../session/manager.ts";
import type { Session } from "../session/session.ts";
import type { SessionConfig } from "../session/session-config.ts";
import type { Store } from "../stores/store.ts";
import type { SessionDefinition } from "./define-session.ts";
import type { TypedSession } from "./typed-session.ts";
import { createValidator } from "./validate.ts";
import { createChangeValidator } from "./validate-changes.ts";

/** A session definition bound to its generated class: what a generated module exports. */
export interface BoundSession<S> {
  /** The definition from the schema module. */
  readonly definition: SessionDefinition;
  /** The config passed to stores: the generated serializer, the schema's validation, `onInvalid`, cookie attributes. */
  readonly config: SessionConfig;
  /**
   * Returns a manager of this session in `store`: `get(req, res)` gives the request's typed session.
   * `config` adds `onError`, timeouts or overrides (serializer, cookie attributes).
   */
  sessions(store: Store, config?: SessionConfig): SessionManager<S>;
}

/**
 * Binds a session definition to its generated class and serializer. Generated modules call this; you get
 * its result from them: `await user.sessions(store).get(req, res)`.
 */
export function bindSession<S extends TypedSession<object, unknown>>(
  definition: SessionDefinition,
  create: new (session: Session, definition: SessionDefinition) => S,
  serializer: Serializer,
): BoundSession<S> {
  const wrapped = new ObjectSlot<S>(`typed-sessions.typed.${definition.name}`);
  /** The typed session's promise of each untyped one: one per request, as the untyped manager's is. */
  const loads = new ObjectSlot<Promise<S>>(`typed-sessions.typed-load.${definition.name}`);
  const base: SessionConfig = {
    serializer,
    validate: createValidator(definition),
    validateChanges: createChangeValidator(definition),
    onInvalid: definition.onInvalid,
    version: definition.version,
    ...(Object.keys(definition.cookie).length > 0 ? { cookie: definition.cookie } : {}),
  };
  const wrap = (session: Session): S => {
    let typed = wrapped.get(session);
    if (typed === undefined) {
      typed = new create(session, definition);
      wrapped.set(session, typed);
    }
    return typed;
  };
  return {
    definition,
    config: base,
    sessions(store, config = {}) {
      const cookie = base.cookie === undefined && config.cookie === undefined ? {} : { cookie: { ...base.cookie, ...config.cookie } };
      // A per-manager policy needs a validator of its own: the definition's applies its own policy.
      const policy =
        config.onInvalid === undefined || config.onInvalid === definition.onInvalid || config.validate !== undefined
          ? {}
          : { validate: createValidator({ ...definition, onInvalid: config.onInvalid }) };
      const untyped = sessions(definition.name, store, { ...base, ...config, ...cookie, ...policy });
      return {
        name: untyped.name,
        get(source, res) {
          // The untyped manager hands out one promise per request and session (a failed load is not kept):
          // its typed counterpart is made once too, and its rejection is marked handled as the untyped one is,
          // so a load started now and awaited later never trips an unhandled rejection.
          const loading = untyped.get(source, res);
          let typed = loads.get(loading);
          if (typed === undefined) {
            typed = loading.then(wrap);
            typed.catch(ignore);
            loads.set(loading, typed);
          }
          return typed;
        },
      };
    },
  };
}

function ignore(): void {}
