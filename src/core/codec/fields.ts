/**
 * Strict field readers for decoded documents: a decoder states the exact shape it expects and
 * anything else (missing, extra or mistyped fields) fails with DECODE_ERROR naming the field.
 */
import {WichainError} from '../errors.js'

export type Fields = Readonly<Record<string, unknown>>

function fail(what: string, message: string): never {
  throw new WichainError('DECODE_ERROR', `${what}: ${message}`)
}

export function readRecord(value: unknown, what: string, keys: readonly string[]): Fields {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    fail(what, 'expected a map')
  }
  const record = value as Fields
  for (const key of Object.keys(record)) if (!keys.includes(key)) fail(what, `unexpected field "${key}"`)
  // Own fields only: `in` would also find inherited names (a "constructor" or "toString" field).
  for (const key of keys) if (!Object.hasOwn(record, key)) fail(what, `missing field "${key}"`)
  return record
}

export function readArray(value: unknown, what: string, lengthMax: number): readonly unknown[] {
  if (!Array.isArray(value)) fail(what, 'expected an array')
  if (value.length > lengthMax) fail(what, `array longer than ${lengthMax}`)
  return value
}

export function readBytes(value: unknown, what: string, length?: {exact?: number; max?: number}): Uint8Array {
  if (!(value instanceof Uint8Array)) fail(what, 'expected bytes')
  if (length?.exact !== undefined && value.length !== length.exact) fail(what, `expected ${length.exact} bytes`)
  if (length?.max !== undefined && value.length > length.max) fail(what, `longer than ${length.max} bytes`)
  return value
}

export function readString(value: unknown, what: string, lengthMax: number): string {
  if (typeof value !== 'string') fail(what, 'expected a string')
  if (value.length > lengthMax) fail(what, `longer than ${lengthMax} characters`)
  return value
}

export function readUint(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(what, 'expected an unsigned integer')
  return value
}

export function readEnum<T extends string | number>(value: unknown, what: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) fail(what, `expected one of ${allowed.join(', ')}`)
  return value as T
}
