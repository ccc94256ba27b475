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

export function encodeCanonical(value: unknown): Uint8Array {
  try {
    return encode(value)
  } catch (error) {
    throw new WichainError('INVALID_ARGUMENT', `value cannot be encoded canonically: ${(error as Error).message}`)
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
    throw new WichainError('DECODE_ERROR', `${what}: not canonical CBOR (${(error as Error).message})`)
  }
  if (!bytesEqual(encode(value), bytes)) {
    throw new WichainError('DECODE_ERROR', `${what}: not in canonical form`)
  }
  return value
}
