/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` (or the query string for GET and DELETE) with
 * bracketed keys, e.g. `items[0][price]=price_1&expand[]=latest_invoice&metadata[org]=o_1`. The SDK writes arrays
 * with indices; `[]` also appears in hand-written requests. Every leaf stays a string: what it means (integer,
 * boolean, `''` for "unset") depends on the parameter, so the handlers decide through `Params`.
 */
import { StripeApiError } from './errors.js';

type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

export function parseForm(...sources: string[]): FormObject {
  const root: FormObject = {};
  for (const source of sources) {
    for (const [key, value] of new URLSearchParams(source)) assign(root, splitKey(key), value);
  }
  return arraysFromIndexedObjects(root) as FormObject;
}

function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const path = [key.slice(0, open)];
  for (const match of key.slice(open).matchAll(/\[([^\]]*)\]/g)) path.push(match[1] ?? '');
  return path;
}

// Indexed and `[]` segments are collected in objects first (keys may arrive out of order), then turned into arrays.
const APPEND = '\u0000append';

function assign(target: FormObject, path: string[], value: string): void {
  let node: FormObject = target;
  for (let i = 0; i < path.length; i += 1) {
    let segment = path[i] ?? '';
    if (segment === '') segment = `${APPEND}${Object.keys(node).length}`;
    if (i === path.length - 1) {
      node[segment] = value;
      return;
    }
    const next = node[segment];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      node = next;
    } else {
      const created: FormObject = {};
      node[segment] = created;
      node = created;
    }
  }
}

function arraysFromIndexedObjects(value: FormValue, key = ''): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const converted: FormObject = {};
  for (const k of keys) converted[k] = arraysFromIndexedObjects(value[k] as FormValue, k);
  // Metadata keys are the caller's own strings, even when they look like indices.
  const indexed = key !== 'metadata' && keys.length > 0 && keys.every((k) => /^\d+$/.test(k) || k.startsWith(APPEND));
  if (!indexed) return converted;
  return keys
    .map((k) => ({ order: k.startsWith(APPEND) ? Number(k.slice(APPEND.length)) : Number(k), value: converted[k] as FormValue }))
    .sort((a, b) => a.order - b.order)
    .map((entry) => entry.value);
}

/** Typed, Stripe-worded access to one (possibly nested) parameter object. `prefix` names nested params in errors. */
export class Params {
  constructor(
    readonly raw: FormObject,
    private readonly prefix = '',
  ) {}

  /** This object's own parameter name (`items[0]`), or '' at the top level. */
  get path(): string {
    return this.prefix;
  }

  name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined;
  }

  /** Stripe rejects parameters it does not know; so do we, so that a silently ignored parameter cannot hide a bug. */
  allowOnly(known: readonly string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!known.includes(key)) {
        throw StripeApiError.invalid(
          `Received unknown parameter: ${this.name(key)}. (The local Stripe server does not implement it.)`,
          this.name(key),
          'parameter_unknown',
        );
      }
    }
  }

  string(key: string): string | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string')
      throw StripeApiError.invalid(`Invalid string: ${this.name(key)}`, this.name(key), 'parameter_invalid_string');
    return value;
  }

  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined || value === '') throw StripeApiError.missing(this.name(key));
    return value;
  }

  /** `undefined` when absent, `null` when sent as `''` (Stripe's "unset"). */
  nullableString(key: string): string | null | undefined {
    const value = this.string(key);
    return value === '' ? null : value;
  }

  int(key: string): number | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) throw StripeApiError.invalid(`Invalid integer: ${value}`, this.name(key), 'parameter_invalid_integer');
    return Number(value);
  }

  requiredInt(key: string): number {
    const value = this.int(key);
    if (value === undefined) throw StripeApiError.missing(this.name(key));
    return value;
  }

  bool(key: string): boolean | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw StripeApiError.invalid(`Invalid boolean: ${value}`, this.name(key), 'parameter_invalid_boolean');
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw StripeApiError.invalid(
        `Invalid ${this.name(key)}: must be one of ${allowed.join(', ')}`,
        this.name(key),
        'parameter_invalid_string',
      );
    }
    return value as T;
  }

  object(key: string): Params | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw StripeApiError.invalid(`Invalid object: ${this.name(key)}`, this.name(key), 'parameter_invalid_object');
    }
    return new Params(value, this.name(key));
  }

  objects(key: string): Params[] | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw StripeApiError.invalid(`Invalid array: ${this.name(key)}`, this.name(key), 'parameter_invalid_array');
    return value.map((entry, index) => {
      if (typeof entry !== 'object' || Array.isArray(entry)) {
        throw StripeApiError.invalid(
          `Invalid object: ${this.name(key)}[${index}]`,
          `${this.name(key)}[${index}]`,
          'parameter_invalid_object',
        );
      }
      return new Params(entry, `${this.name(key)}[${index}]`);
    });
  }

  strings(key: string): string[] | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (value === '') return [];
    if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
      throw StripeApiError.invalid(`Invalid array: ${this.name(key)}`, this.name(key), 'parameter_invalid_array');
    }
    return value as string[];
  }

  /**
   * Stripe's metadata update semantics: `metadata=''` clears everything, `metadata[k]=''` deletes one key, any
   * other value sets it. Returns the merged result, or `undefined` when metadata was not sent.
   */
  metadata(current: Record<string, string> = {}, key = 'metadata'): Record<string, string> | undefined {
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (value === '') return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw StripeApiError.invalid(`Invalid object: ${this.name(key)}`, this.name(key), 'parameter_invalid_object');
    }
    const merged = { ...current };
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== 'string') throw StripeApiError.invalid(`Invalid string: ${this.name(key)}[${k}]`, `${this.name(key)}[${k}]`);
      if (v === '') delete merged[k];
      else merged[k] = v;
    }
    return merged;
  }

  expand(): string[] {
    return this.strings('expand') ?? [];
  }
}
