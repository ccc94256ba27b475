/**
 * The SM3 key derivation function of GB/T 32918.4 §5.4.3: K = SM3(Z ‖ ct₁) ‖ SM3(Z ‖ ct₂) ‖ …,
 * ct a 32-bit big-endian counter starting at 1, truncated to the requested length.
 */
import {WichainError} from '../errors.js'
import {sm3, SM3_BYTES} from '../crypto/index.js'

/** Far above any use here (the handshake takes 128 bytes); keeps a bad argument from looping long. */
export const KDF_BYTES_MAX = 4096

export function sm3Kdf(secret: Uint8Array, lengthBytes: number): Uint8Array {
  if (!Number.isSafeInteger(lengthBytes) || lengthBytes < 1 || lengthBytes > KDF_BYTES_MAX) {
    throw new WichainError('INVALID_ARGUMENT', `KDF length must be 1..${KDF_BYTES_MAX} bytes`)
  }
  const out = new Uint8Array(Math.ceil(lengthBytes / SM3_BYTES) * SM3_BYTES)
  const counter = new Uint8Array(4)
  const counterView = new DataView(counter.buffer)
  for (let block = 0; block * SM3_BYTES < lengthBytes; block++) {
    counterView.setUint32(0, block + 1)
    out.set(sm3(secret, counter), block * SM3_BYTES)
  }
  return out.slice(0, lengthBytes)
}
