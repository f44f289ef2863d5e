import type { Serializer } from "../serializers/serializers.ts";
import { ObjectSlot } from "../internal/object-slot.ts";
import type { RequestContext } from "../http/context.ts";
import type { Session } from "../session/session.ts";
import type { SessionConfig } from "../session/session-config.ts";
import { type SessionManager, sessions } from "../session/manager.ts";
import type { Store } from "../stores/store.ts";
import type { SessionDefinition } from "./define-session.ts";
import type { TypedSession } from "./typed-session.ts";
import { createValidator } from "./validate.ts";

/** A typed session bound to a store: `get(ctx)` returns this request's typed session. */
export interface TypedSessionManager<S> {
  /** The untyped manager underneath (the same per-request cache). */
  readonly manager: SessionManager;
  /** Returns this request's typed session, loading and validating it once per request. */
  get(ctx: RequestContext): Promise<S>;
}

/** A session definition bound to its generated class: what a generated module exports. */
export interface BoundSession<S> {
  readonly definition: SessionDefinition;
  /** The config passed to stores: the generated serializer, the schema's validation, `onInvalid`, options. */
  readonly config: SessionConfig;
  /** Binds the session to `store`; `config` adds `onError`, timeouts or overrides (serializer, options). */
  sessions(store: Store, config?: SessionConfig): TypedSessionManager<S>;
  /** Wraps an untyped session of this definition (e.g. one a store returned). */
  wrap(session: Session): S;
}

/**
 * Binds a session definition to its generated class and serializer. Generated modules call this; you get
 * its result from them: `await user.sessions(store).get(ctx)`.
 */
export function bindSession<S extends TypedSession<object, unknown>>(
  definition: SessionDefinition,
  create: new (session: Session, definition: SessionDefinition) => S,
  serializer: Serializer,
): BoundSession<S> {
  const wrapped = new ObjectSlot<S>(`typed-sessions.typed.${definition.name}`);
  const base: SessionConfig = {
    serializer,
    validate: createValidator(definition),
    onInvalid: definition.onInvalid,
    ...(Object.keys(definition.options).length > 0 ? { options: definition.options } : {}),
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
    wrap,
    sessions(store, config = {}) {
      const options = base.options === undefined && config.options === undefined ? {} : { options: { ...base.options, ...config.options } };
      const manager = sessions(definition.name, store, { ...base, ...config, ...options });
      return { manager, get: async (ctx) => wrap(await manager.get(ctx)) };
    },
  };
}
