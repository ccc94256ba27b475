/**
 * The one canonical encoding for everything hashed or signed: deterministic CBOR (cborg, RFC 7049
 * canonical: smallest integers, length-first sorted map keys, no indefinite lengths, no undefined).
 * Decoding is strict and additionally re-encodes the value and compares bytes, so every value has
 * exactly one accepted byte form (map order and float width included) and a hash names one value.
 */
import {decode, encode} from 'cborg'
import {bytesEqual} from '../bytes.js'
import {WichainError} from '../errors.js'

/** Hard upper bound for any canonical document we decode (a block is the largest). */
export const CANONICAL_DOCUMENT_BYTES_MAX = 16 * 1024 * 1024

/** Binary types other than Uint8Array: they would decode as Uint8Array, so they are refused. */
const NON_BYTE_BINARY_TYPES = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
] as const

const DECODE_OPTIONS = {
  strict: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: false,
  rejectDuplicateMapKeys: true,
  useMaps: false,
} as const

function refuse(what: string): never {
  throw new Error(`${what} has no canonical form`)
}

function isWellFormed(text: string): boolean {
  // Node 20 has String.prototype.isWellFormed; the ES2023 lib typings do not declare it yet.
  return (text as unknown as {isWellFormed(): boolean}).isWellFormed()
}

/**
 * Values that cborg would encode but `decodeCanonical` refuses or reads back as another value
 * (undefined, NaN/Infinity, bigint, ill-formed UTF-16, Maps, other typed arrays) are refused at
 * encoding time: otherwise a hash or signature could cover bytes no node can decode, or two
 * in-memory values (a lone surrogate and U+FFFD) would share one byte form and execute
 * differently on the node that built the value and on the nodes that decoded it.
 */
const ENCODE_OPTIONS = {
  typeEncoders: {
    undefined: () => refuse('undefined'),
    bigint: () => refuse('bigint'),
    number: (value: unknown) => (Number.isFinite(value) ? null : refuse(String(value))),
    string: (value: unknown) => (isWellFormed(value as string) ? null : refuse('a string with a lone surrogate')),
    Map: () => refuse('Map'),
    ...Object.fromEntries(NON_BYTE_BINARY_TYPES.map((type) => [type, () => refuse(type)])),
  },
}

export function encodeCanonical(value: unknown): Uint8Array {
  try {
    return encode(value, ENCODE_OPTIONS)
  } catch (error) {
    throw new WichainError('INVALID_ARGUMENT', `value cannot be encoded canonically: ${(error as Error).message}`, undefined, {cause: error})
  }
}

export function decodeCanonical(bytes: Uint8Array, what: string): unknown {
  if (!(bytes instanceof Uint8Array)) throw new WichainError('DECODE_ERROR', `${what}: expected bytes`)
  if (bytes.length > CANONICAL_DOCUMENT_BYTES_MAX) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `${what}: ${bytes.length} bytes exceeds ${CANONICAL_DOCUMENT_BYTES_MAX}`)
  }
  let value: unknown
  try {
    value = decode(bytes, DECODE_OPTIONS)
  } catch (error) {
    throw new WichainError('DECODE_ERROR', `${what}: not canonical CBOR (${(error as Error).message})`, undefined, {cause: error})
  }
  if (!bytesEqual(encode(value), bytes)) {
    throw new WichainError('DECODE_ERROR', `${what}: not in canonical form`)
  }
  return value
}
