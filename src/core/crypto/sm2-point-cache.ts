/**
 * Per-public-key precomputed multiples for SM2 verification (and encryption).
 *
 * Measured on the 2-core reference machine (sm-crypto-v2 1.15, digest computed natively):
 *   no precompute 307 verify/s; window 4: 5.6 ms to build, 45 KiB, 1,406/s;
 *   window 6: 13.7 ms, 132 KiB, 1,774/s; window 8: 35 ms, 456 KiB, 2,007/s.
 * Window 6 is the trade: 5.8× faster verification, pays for itself after ~5 verifications, and
 * 1,024 cached keys stay under ~140 MB. A key is precomputed only when seen a second time, so
 * a stream of one-off keys (new tx senders, or an attacker) costs the plain 3.3 ms each and
 * cannot make every verification 14 ms by thrashing the cache.
 */
import {sm2 as smCrypto} from 'sm-crypto-v2'
import {LruMap} from './lru.js'

export type PublicPoint = ReturnType<typeof smCrypto.precomputePublicKey>

export const PRECOMPUTE_WINDOW_BITS = 6
export const PRECOMPUTED_KEYS_MAX = 1024
/** Keys seen once, waiting for a second sighting: 4,096 hex strings, well under 1 MB. */
export const SIGHTED_KEYS_MAX = 4096

export class PublicPointCache {
  private readonly precomputed: LruMap<string, PublicPoint>
  private readonly sighted: LruMap<string, true>

  constructor(precomputedMax = PRECOMPUTED_KEYS_MAX, sightedMax = SIGHTED_KEYS_MAX) {
    this.precomputed = new LruMap(precomputedMax)
    this.sighted = new LruMap(sightedMax)
  }

  get precomputedCount(): number {
    return this.precomputed.size
  }

  /**
   * The point to hand to sm-crypto-v2 for this key: the precomputed one when cached, else the
   * hex string (the library parses and curve-checks it). Throws if the key is not on the curve.
   */
  lookup(publicKeyHex: string): PublicPoint | string {
    const cached = this.precomputed.get(publicKeyHex)
    if (cached !== undefined) return cached
    if (!this.sighted.has(publicKeyHex)) {
      this.sighted.set(publicKeyHex, true)
      return publicKeyHex
    }
    this.sighted.delete(publicKeyHex)
    const point = smCrypto.precomputePublicKey(publicKeyHex, PRECOMPUTE_WINDOW_BITS)
    this.precomputed.set(publicKeyHex, point)
    return point
  }

  clear(): void {
    this.precomputed.clear()
    this.sighted.clear()
  }
}

/** The process-wide cache used by verify() and encrypt(). */
export const publicPointCache = new PublicPointCache()
