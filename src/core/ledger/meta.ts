/**
 * Small named metadata kept next to the chain (genesis document, persisted consensus state).
 * Not part of any block hash: callers that need integrity encode a checkable document.
 */
import {WichainError} from '../errors.js'
import {META_VALUE_BYTES_MAX} from '../limits.js'

export interface MetaWrite {
  readonly name: string
  readonly value: Uint8Array
}

export const META_LIMITS = Object.freeze({nameLengthMax: 64, valueBytesMax: META_VALUE_BYTES_MAX})
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

export function checkMetaName(name: unknown): string {
  if (typeof name !== 'string' || name.length > META_LIMITS.nameLengthMax || !NAME_RE.test(name)) {
    throw new WichainError('INVALID_ARGUMENT', `meta name must be 1..${META_LIMITS.nameLengthMax} characters of [A-Za-z0-9._-]`)
  }
  return name
}

/** Names under this prefix are the ledger's own records (e.g. the archive's segment list). */
const RESERVED_PREFIX = 'ledger.'

export function checkMetaWrite(write: MetaWrite): void {
  checkMetaName(write.name)
  if (write.name.startsWith(RESERVED_PREFIX)) throw new WichainError('INVALID_ARGUMENT', `meta names starting with "${RESERVED_PREFIX}" are reserved for the ledger`)
  if (!(write.value instanceof Uint8Array)) throw new WichainError('INVALID_ARGUMENT', `meta "${write.name}" value must be bytes`)
  if (write.value.length > META_LIMITS.valueBytesMax) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `meta "${write.name}" is ${write.value.length} bytes; limit ${META_LIMITS.valueBytesMax}`)
  }
}
