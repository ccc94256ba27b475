/**
 * The consensus crypto of a simulated node: the chain's own (SM2 over SM3, verified by the native
 * path) made cheap where that changes no result. Simulator only, never for a real node:
 *  - sign: SM2 with nonces from a fixed per-process pool chosen by the digest, and (1+d)^-1 kept
 *    per key: a signature costs a few bigint products instead of a scalar multiplication
 *    (~0.8 ms). Nonces are reused across messages, which would reveal a real key; the simulated
 *    keys are derived from public labels anyway. The signatures are ordinary SM2 signatures: every
 *    receiving node checks them with the chain's verify. A side effect: equal messages get equal
 *    signatures, so a run's bytes depend only on its seed.
 *  - verify: the chain's verify, memoized on (signer, signature) with the exact message kept and
 *    compared (verify is a pure function: a broadcast is checked by each receiver, once).
 */
import {toHex} from '../bytes.js'
import type {ConsensusCrypto} from '../consensus/engine.js'
import {publicKeyFromPrivate, type KeyPair} from '../crypto/sm2.js'
import {signedDigest} from '../crypto/sm2-signature.js'
import {sm3} from '../crypto/sm3.js'

const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n
const POOL_SIZE = 64
const VERIFY_MEMO_MAX = 200_000

const toBigInt = (bytes: Uint8Array): bigint => BigInt(`0x${toHex(bytes) || '0'}`)
const mod = (value: bigint): bigint => ((value % N) + N) % N

function invert(value: bigint): bigint {
  // Fermat: N is prime.
  let result = 1n
  let base = mod(value)
  let exponent = N - 2n
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % N
    base = (base * base) % N
    exponent >>= 1n
  }
  return result
}

/** (k, x(kG)) pairs from fixed labels, made on first use. */
const pool: {k: bigint; x1: bigint}[] = []
function nonce(index: number): {k: bigint; x1: bigint} {
  while (pool.length <= index) {
    const seed = sm3(new TextEncoder().encode(`wichain-sim/nonce/${pool.length}`))
    const k = mod(toBigInt(seed)) || 1n
    const kBytes = Uint8Array.from(Buffer.from(k.toString(16).padStart(64, '0'), 'hex'))
    pool.push({k, x1: toBigInt(publicKeyFromPrivate(kBytes).subarray(1, 33))})
  }
  return pool[index]!
}

const inverses = new Map<string, {d: bigint; inverse: bigint}>()

/** An SM2 signature (r || s) of `message` by `key`, with a pooled nonce. */
export function simSign(key: KeyPair, message: Uint8Array): Uint8Array {
  const id = toHex(key.publicKey)
  let scalars = inverses.get(id)
  if (scalars === undefined) {
    const d = toBigInt(key.privateKey)
    scalars = {d, inverse: invert(d + 1n)}
    inverses.set(id, scalars)
  }
  const digest = signedDigest(key.publicKey, message)
  const e = toBigInt(digest)
  for (let attempt = 0; ; attempt++) {
    const {k, x1} = nonce((digest[0]! + attempt) % POOL_SIZE)
    const r = mod(e + x1)
    if (r === 0n || r + k === N) continue
    const s = mod(scalars.inverse * (k - r * scalars.d))
    if (s === 0n) continue
    return Uint8Array.from(Buffer.from(r.toString(16).padStart(64, '0') + s.toString(16).padStart(64, '0'), 'hex'))
  }
}

const verified = new Map<string, {message: Uint8Array; valid: boolean}>()

/** The chain's consensus crypto for `key`, with the pooled-nonce sign and the memoized verify. */
export function simConsensusCrypto(chain: ConsensusCrypto, key: KeyPair): ConsensusCrypto {
  return {
    self: chain.self,
    hash: chain.hash,
    sign: (message) => simSign(key, message),
    verify: (signer, message, signature) => {
      const memo = `${signer}/${Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString('latin1')}`
      const seen = verified.get(memo)
      if (seen !== undefined && Buffer.from(seen.message).equals(message)) return seen.valid
      const valid = chain.verify(signer, message, signature)
      if (verified.size >= VERIFY_MEMO_MAX) verified.clear()
      verified.set(memo, {message: message.slice(), valid})
      return valid
    },
  }
}
