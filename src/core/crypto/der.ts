/**
 * The small, strict subset of DER that SM2 keys and signatures need: single-byte tags, definite
 * minimal lengths, no trailing bytes. Anything else is a DECODE_ERROR, never a best guess, so a
 * value has exactly one accepted encoding (signatures and keys must not be malleable).
 */
import {WichainError} from '../errors.js'

export const TAG = Object.freeze({
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  objectIdentifier: 0x06,
  sequence: 0x30,
  context0: 0xa0,
  context1: 0xa1,
})

/** Longest content we read: keys and signatures are a few hundred bytes at most. */
const DER_LENGTH_MAX = 0xffff

export interface DerElement {
  readonly tag: number
  readonly content: Uint8Array
}

function fail(message: string): never {
  throw new WichainError('DECODE_ERROR', `DER: ${message}`)
}

function encodeLength(length: number): Uint8Array {
  if (length > DER_LENGTH_MAX) fail(`length ${length} exceeds ${DER_LENGTH_MAX}`)
  if (length < 0x80) return Uint8Array.of(length)
  if (length <= 0xff) return Uint8Array.of(0x81, length)
  return Uint8Array.of(0x82, length >> 8, length & 0xff)
}

export function encodeElement(tag: number, content: Uint8Array): Uint8Array {
  const length = encodeLength(content.length)
  const out = new Uint8Array(1 + length.length + content.length)
  out[0] = tag
  out.set(length, 1)
  out.set(content, 1 + length.length)
  return out
}

export function encodeSequence(...elements: Uint8Array[]): Uint8Array {
  return encodeElement(TAG.sequence, new Uint8Array(Buffer.concat(elements)))
}

/** Reads one element at `offset`; returns it and the offset just past it. */
export function readElement(bytes: Uint8Array, offset: number): {element: DerElement; next: number} {
  if (offset + 2 > bytes.length) fail('truncated header')
  const tag = bytes[offset]!
  if ((tag & 0x1f) === 0x1f) fail('multi-byte tags are not supported')
  let length = bytes[offset + 1]!
  let position = offset + 2
  if (length >= 0x80) {
    const lengthBytes = length & 0x7f
    if (lengthBytes === 0) fail('indefinite length is not DER')
    if (lengthBytes > 2) fail('length too large')
    if (position + lengthBytes > bytes.length) fail('truncated length')
    length = 0
    for (let i = 0; i < lengthBytes; i++) length = (length << 8) | bytes[position + i]!
    position += lengthBytes
    const minimal = lengthBytes === 1 ? length >= 0x80 : length > 0xff
    if (!minimal) fail('length is not minimally encoded')
  }
  if (position + length > bytes.length) fail('content runs past the end')
  return {element: {tag, content: bytes.subarray(position, position + length)}, next: position + length}
}

/** Decodes `bytes` as exactly one element with the expected tag. */
export function readOnly(bytes: Uint8Array, tag: number, what: string): Uint8Array {
  const {element, next} = readElement(bytes, 0)
  if (element.tag !== tag) fail(`${what}: expected tag 0x${tag.toString(16)}, got 0x${element.tag.toString(16)}`)
  if (next !== bytes.length) fail(`${what}: trailing bytes`)
  return element.content
}

/** Splits the content of a constructed element into its children. */
export function readChildren(content: Uint8Array): DerElement[] {
  const children: DerElement[] = []
  let offset = 0
  while (offset < content.length) {
    const {element, next} = readElement(content, offset)
    children.push(element)
    offset = next
  }
  return children
}

export function expectTag(element: DerElement | undefined, tag: number, what: string): Uint8Array {
  if (element === undefined) fail(`${what}: missing`)
  if (element.tag !== tag) fail(`${what}: expected tag 0x${tag.toString(16)}, got 0x${element.tag.toString(16)}`)
  return element.content
}

/** Unsigned big-endian magnitude (leading zeros allowed) → minimal positive DER INTEGER. */
export function encodeUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++
  const trimmed = magnitude.subarray(start)
  const needsZero = trimmed.length === 0 || (trimmed[0]! & 0x80) !== 0
  const content = needsZero ? new Uint8Array([0, ...trimmed]) : trimmed
  return encodeElement(TAG.integer, content)
}

/** Minimal non-negative DER INTEGER content → magnitude left-padded to `size` bytes. */
export function decodeUnsignedInteger(content: Uint8Array, size: number, what: string): Uint8Array {
  if (content.length === 0) fail(`${what}: empty INTEGER`)
  if ((content[0]! & 0x80) !== 0) fail(`${what}: negative INTEGER`)
  if (content.length > 1 && content[0] === 0 && (content[1]! & 0x80) === 0) fail(`${what}: INTEGER not minimal`)
  const magnitude = content[0] === 0 && content.length > 1 ? content.subarray(1) : content
  if (magnitude.length > size) fail(`${what}: INTEGER longer than ${size} bytes`)
  const out = new Uint8Array(size)
  out.set(magnitude, size - magnitude.length)
  return out
}

/** A small INTEGER such as a version number. */
export function decodeSmallInteger(content: Uint8Array, what: string): number {
  const value = decodeUnsignedInteger(content, 4, what)
  return new DataView(value.buffer, value.byteOffset, 4).getUint32(0)
}
