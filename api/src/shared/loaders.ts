import DataLoader from 'dataloader';

export type MaybePromise<T> = T | Promise<T>;

/**
 * A DataLoader that also answers at once for a key it has already loaded. A page of 100 tickets asks for the same
 * organization 100 times: once the page's relations are preloaded (see `preload`), each of those field resolvers
 * returns its value without a promise, and GraphQL completes it synchronously.
 */
export class BatchLoader<K, V> extends DataLoader<K, V> {
  private readonly loaded: Map<K, V>;

  constructor(batch: DataLoader.BatchLoadFn<K, V>) {
    const loaded = new Map<K, V>();
    super(async (keys) => {
      const values = await batch(keys);
      keys.forEach((key, index) => {
        const value = values[index];
        if (!(value instanceof Error)) loaded.set(key, value as V);
      });
      return values;
    });
    this.loaded = loaded;
  }

  /** Supplies a value read some other way (a join), for `load` and `now` alike; a key already loaded keeps its value. */
  override prime(key: K, value: V): this {
    if (!this.loaded.has(key)) this.loaded.set(key, value);
    return super.prime(key, value);
  }

  /** The value, synchronously if it is loaded already; else the load. */
  now(key: K): MaybePromise<V> {
    return this.loaded.has(key) ? (this.loaded.get(key) as V) : this.load(key);
  }
}

/** `fn` applied to a value that may still be coming, without a promise when it is already here. */
export function andThen<T, R>(value: MaybePromise<T>, fn: (value: T) => R): MaybePromise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}
