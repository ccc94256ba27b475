/**
 * Fixed-layout handshake messages (each one plaintext frame). Decoding is strict: exact sizes,
 * known type, no trailing bytes. Layouts (integers big-endian):
 *
 *   hello  = 0x01 ‖ version u16 ‖ networkIdLength u8 ‖ networkId (UTF-8) ‖ staticKey[65]
 *            ‖ ephemeralKey[65] ‖ nonce[32]
 *   auth   = 0x02 ‖ signature[64]            (SM2 r ‖ s)
 *   reject = 0x03 ‖ reason (UTF-8, ≤ 200 bytes; informational only, never trusted)
 */
import {WichainError} from '../errors.js'
import {PUBLIC_KEY_BYTES, SIGNATURE_BYTES} from '../crypto/index.js'

export const HELLO_TYPE = 1
export const AUTH_TYPE = 2
export const REJECT_TYPE = 3
export const NONCE_BYTES = 32
export const NETWORK_ID_BYTES_MAX = 64
export const REJECT_REASON_BYTES_MAX = 200
/** The largest handshake message (a hello with the longest network id); the handshake frame limit. */
export const HANDSHAKE_MESSAGE_BYTES_MAX = 4 + NETWORK_ID_BYTES_MAX + 2 * PUBLIC_KEY_BYTES + NONCE_BYTES

export interface Hello {
  readonly version: number
  readonly networkId: string
  readonly staticKey: Uint8Array
  readonly ephemeralKey: Uint8Array
  readonly nonce: Uint8Array
}

export type HandshakeMessage =
  | {readonly type: 'hello'; readonly hello: Hello}
  | {readonly type: 'auth'; readonly signature: Uint8Array}
  | {readonly type: 'reject'; readonly reason: string}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', {fatal: true})

export function networkIdBytes(networkId: string): Uint8Array {
  const bytes = encoder.encode(networkId)
  if (bytes.length < 1 || bytes.length > NETWORK_ID_BYTES_MAX) {
    throw new WichainError('INVALID_ARGUMENT', `network id must be 1..${NETWORK_ID_BYTES_MAX} UTF-8 bytes`)
  }
  return bytes
}

export function encodeHello(hello: Hello): Uint8Array {
  const id = networkIdBytes(hello.networkId)
  if (hello.staticKey.length !== PUBLIC_KEY_BYTES || hello.ephemeralKey.length !== PUBLIC_KEY_BYTES ||
    hello.nonce.length !== NONCE_BYTES || !Number.isInteger(hello.version) || hello.version < 0 || hello.version > 0xffff) {
    throw new WichainError('INVALID_ARGUMENT', 'hello fields have the wrong size')
  }
  const out = Buffer.alloc(4 + id.length + 2 * PUBLIC_KEY_BYTES + NONCE_BYTES)
  out[0] = HELLO_TYPE
  out.writeUInt16BE(hello.version, 1)
  out[3] = id.length
  let offset = 4
  for (const part of [id, hello.staticKey, hello.ephemeralKey, hello.nonce]) {
    out.set(part, offset)
    offset += part.length
  }
  return new Uint8Array(out)
}

export function encodeAuth(signature: Uint8Array): Uint8Array {
  if (signature.length !== SIGNATURE_BYTES) throw new WichainError('INVALID_ARGUMENT', 'auth signature has the wrong size')
  const out = new Uint8Array(1 + SIGNATURE_BYTES)
  out[0] = AUTH_TYPE
  out.set(signature, 1)
  return out
}

export function encodeReject(reason: string): Uint8Array {
  const text = encoder.encode(reason).subarray(0, REJECT_REASON_BYTES_MAX)
  const out = new Uint8Array(1 + text.length)
  out[0] = REJECT_TYPE
  out.set(text, 1)
  return out
}

function malformed(what: string): WichainError {
  return new WichainError('DECODE_ERROR', `malformed handshake message: ${what}`)
}

function decodeHello(bytes: Uint8Array): Hello {
  if (bytes.length < 4) throw malformed('hello too short')
  const idLength = bytes[3]
  if (idLength < 1 || idLength > NETWORK_ID_BYTES_MAX) throw malformed('bad network id length')
  if (bytes.length !== 4 + idLength + 2 * PUBLIC_KEY_BYTES + NONCE_BYTES) throw malformed('hello has the wrong size')
  let networkId: string
  try {
    networkId = decoder.decode(bytes.subarray(4, 4 + idLength))
  } catch {
    throw malformed('network id is not UTF-8')
  }
  const keysAt = 4 + idLength
  return Object.freeze({
    version: (bytes[1] << 8) | bytes[2],
    networkId,
    staticKey: bytes.slice(keysAt, keysAt + PUBLIC_KEY_BYTES),
    ephemeralKey: bytes.slice(keysAt + PUBLIC_KEY_BYTES, keysAt + 2 * PUBLIC_KEY_BYTES),
    nonce: bytes.slice(keysAt + 2 * PUBLIC_KEY_BYTES),
  })
}

export function decodeHandshakeMessage(bytes: Uint8Array): HandshakeMessage {
  if (bytes.length === 0) throw malformed('empty')
  switch (bytes[0]) {
    case HELLO_TYPE:
      return {type: 'hello', hello: decodeHello(bytes)}
    case AUTH_TYPE:
      if (bytes.length !== 1 + SIGNATURE_BYTES) throw malformed('auth has the wrong size')
      return {type: 'auth', signature: bytes.slice(1)}
    case REJECT_TYPE:
      if (bytes.length > 1 + REJECT_REASON_BYTES_MAX) throw malformed('reject reason too long')
      // Untrusted text from a peer that may not be authenticated: keep it printable for logs.
      return {type: 'reject', reason: Buffer.from(bytes.subarray(1)).toString('utf8').replace(/[^\x20-\x7e]/g, '?')}
    default:
      throw malformed(`unknown type ${bytes[0]}`)
  }
}
