/** SM3 (GB/T 32905) from node:crypto (native OpenSSL), plus HMAC-SM3 and the SM3 KDF. */
import {createHash, createHmac, hash as oneShot} from 'node:crypto'

export const SM3_BYTES = 32

export function sm3(...parts: Uint8Array[]): Uint8Array {
  // One-shot for the common single part: ~25% cheaper than a Hash object (tx hashes, leaves).
  if (parts.length === 1) return new Uint8Array(oneShot('sm3', parts[0]!, 'buffer'))
  const hash = createHash('sm3')
  for (const part of parts) hash.update(part)
  return new Uint8Array(hash.digest())
}

export function hmacSm3(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const hmac = createHmac('sm3', key)
  for (const part of parts) hmac.update(part)
  return new Uint8Array(hmac.digest())
}
