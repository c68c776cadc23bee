/** The enum object for a const list of values: `{ LOW: 'LOW', … }`, usable as a value and (with the list) a type. */
export type EnumObject<V extends string> = { readonly [K in V]: K };

export function enumOf<const V extends string>(values: readonly V[]): EnumObject<V> {
  return Object.freeze(Object.fromEntries(values.map((value) => [value, value]))) as EnumObject<V>;
}
