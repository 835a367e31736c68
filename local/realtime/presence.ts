// Presence as Phoenix.Presence keeps it: per topic, each key has a list of metas (one per
// tracking channel), each meta the tracked payload plus a `phx_ref` (and `phx_ref_prev` after an
// update). Changes are announced as diffs {joins, leaves} in the same shape.

export interface PresenceMeta extends Record<string, unknown> {
  phx_ref: string;
  phx_ref_prev?: string;
}

export type PresenceState = Record<string, { metas: PresenceMeta[] }>;

export interface PresenceDiff {
  joins: PresenceState;
  leaves: PresenceState;
}

function newRef(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return btoa(String.fromCharCode(...bytes));
}

function single(key: string, meta: PresenceMeta): PresenceState {
  return { [key]: { metas: [meta] } };
}

/** Presences of every topic, each tracked by an owner (a joined channel) under one key. */
export class PresenceRegistry<Owner> {
  #topics = new Map<string, Map<Owner, { key: string; meta: PresenceMeta }>>();

  /** Tracks (or updates) the owner's presence; returns the diff to announce. */
  track(topic: string, owner: Owner, key: string, payload: Record<string, unknown>): PresenceDiff {
    let presences = this.#topics.get(topic);
    if (!presences) this.#topics.set(topic, presences = new Map());
    const previous = presences.get(owner);
    const meta: PresenceMeta = { ...payload, phx_ref: newRef() };
    if (previous && previous.key === key) meta.phx_ref_prev = previous.meta.phx_ref;
    presences.set(owner, { key, meta });
    return {
      joins: single(key, meta),
      leaves: previous ? single(previous.key, previous.meta) : {},
    };
  }

  /** Removes the owner's presence; returns the diff to announce, or null if it had none. */
  untrack(topic: string, owner: Owner): PresenceDiff | null {
    const presences = this.#topics.get(topic);
    const previous = presences?.get(owner);
    if (!presences || !previous) return null;
    presences.delete(owner);
    if (presences.size === 0) this.#topics.delete(topic);
    return { joins: {}, leaves: single(previous.key, previous.meta) };
  }

  list(topic: string): PresenceState {
    const state: PresenceState = {};
    for (const { key, meta } of this.#topics.get(topic)?.values() ?? []) {
      (state[key] ??= { metas: [] }).metas.push(meta);
    }
    return state;
  }
}
