/**
 * Optional native SM2 verification: the N-API addon in native/ (built by `npm run build:native`)
 * runs the SM2 equation on the OpenSSL 3 inside the node binary, with the generator's and each
 * frequent signer's multiples precomputed: about 4× the pure-JS verify() and 2.5× `openssl speed
 * sm2` on the same core (bench/sm2-verify.ts). It is never required: when the addon is missing,
 * fails to load, fails its self-test, or WICHAIN_NATIVE_SM2=off, `nativeSm2` is undefined and
 * fastVerify() is sm2.ts verify(), with the same results (the tests check both agree).
 */
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'
import {fromHex, utf8} from '../bytes.js'
import {WichainError} from '../errors.js'
import {verify as verifyJs} from './sm2.js'

export interface SignedMessage {
  readonly publicKey: Uint8Array
  readonly message: Uint8Array
  readonly signature: Uint8Array
}

export interface NativeSm2Stats {
  readonly knownKeys: number
  readonly precomputedKeys: number
  readonly knownKeysMax: number
  readonly precomputedKeysMax: number
  /** Per-key tables built since this instance started (rebuilds after eviction included). */
  readonly tablesBuilt: number
}

export interface NativeSm2 {
  /** Same contract as sm2.ts verify(): true only for a valid signature, false for anything else. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
  /** One 0/1 byte per item, in order. */
  verifyBatch(items: readonly SignedMessage[]): Uint8Array
  /** The fast path given e = SM3(Z || M) (sm2-signature.ts signedDigest); false unless `digest` is 32 bytes. */
  verifyDigest(publicKey: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean
  /** OpenSSL's own SM2 (EVP_DigestVerify, SM3, default ID): the reference the fast path is checked against. */
  verifyOpenssl(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
  /** Cache sizes of this thread's addon instance (each worker thread has its own). */
  stats(): NativeSm2Stats
  clearCaches(): void
  readonly opensslVersion: string
}

export interface NativeSm2Status {
  readonly available: boolean
  /** Why the addon is not in use, or how it was loaded. */
  readonly reason: string
  readonly path: string
}

/** The addon also refuses more; one batch holds the calling thread for a few seconds at most. */
export const VERIFY_BATCH_ITEMS_MAX = 65_536

export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../../native/build/Release/wichain_sm2.node', import.meta.url))

/** sm.json `sm2_openssl[0]`, signed by OpenSSL 3.0 pkeyutl: the addon must accept it and reject a changed message. */
const SELF_TEST = Object.freeze({
  publicKey: '04fed05a7c174e9fc7197fa642b57f1df1f8e4e12e399f6d8fd23ee765404d8341869551f23e4d2b34d525260b9b093ceac3350572a2e8c18dbe57776ac57915c2',
  message: '工伤认定决定书 2026-001',
  signature: '16429ddcc3874c635204fde6923565dbd89a8809ccd8d32f8f36bb0071f5e5cf496e7c412c2c16ce50005275c4f6174184d0d6d6d355baad195a10065ca6766f',
})

function passesSelfTest(addon: NativeSm2): boolean {
  const publicKey = fromHex(SELF_TEST.publicKey)
  const signature = fromHex(SELF_TEST.signature)
  const message = utf8(SELF_TEST.message)
  const changed = utf8(`${SELF_TEST.message}x`)
  // Three fast-path calls: the first sighting, the table build, the precomputed table.
  const fast = [0, 1, 2].every(() => addon.verify(publicKey, message, signature)) && !addon.verify(publicKey, changed, signature)
  const reference = addon.verifyOpenssl(publicKey, message, signature) && !addon.verifyOpenssl(publicKey, changed, signature)
  addon.clearCaches()
  return fast && reference
}

function isAddon(value: unknown): value is NativeSm2 {
  const candidate = value as Partial<Record<keyof NativeSm2, unknown>> | null
  return typeof candidate === 'object' && candidate !== null &&
    (['verify', 'verifyBatch', 'verifyDigest', 'verifyOpenssl', 'stats', 'clearCaches'] as const).every((name) => typeof candidate[name] === 'function') &&
    typeof candidate.opensslVersion === 'string'
}

function load(): {addon: NativeSm2 | undefined; status: NativeSm2Status} {
  const path = NATIVE_ADDON_PATH
  const absent = (reason: string) => ({addon: undefined, status: Object.freeze({available: false, reason, path})})
  if (process.env['WICHAIN_NATIVE_SM2'] === 'off') return absent('disabled by WICHAIN_NATIVE_SM2=off')
  let loaded: unknown
  try {
    loaded = createRequire(import.meta.url)(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'MODULE_NOT_FOUND' ? 'not built (run `npm run build:native`)' : `failed to load: ${String(error)}`
    return absent(reason)
  }
  if (!isAddon(loaded)) return absent('the file is not the wichain SM2 addon')
  if (!passesSelfTest(loaded)) return absent('failed its self-test against an OpenSSL-made signature')
  return {addon: Object.freeze(loaded), status: Object.freeze({available: true, reason: `loaded, ${loaded.opensslVersion}`, path})}
}

const loaded = load()

/** The addon, or undefined when it is not built or not usable (see nativeSm2Status.reason). */
export const nativeSm2: NativeSm2 | undefined = loaded.addon
export const nativeSm2Status: NativeSm2Status = loaded.status

/** Native verification when available, else sm2.ts verify(): same inputs, same results. */
export const fastVerify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean =
  nativeSm2 === undefined ? verifyJs : nativeSm2.verify

function checkBatch(items: readonly SignedMessage[]): void {
  if (!Array.isArray(items)) throw new WichainError('INVALID_ARGUMENT', 'a verify batch must be an array')
  if (items.length > VERIFY_BATCH_ITEMS_MAX) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `a verify batch holds at most ${VERIFY_BATCH_ITEMS_MAX} items`, {items: items.length})
  }
}

/** fastVerify over a batch, in order; one native call when the addon is in use. */
export function fastVerifyBatch(items: readonly SignedMessage[]): boolean[] {
  checkBatch(items)
  if (nativeSm2 === undefined) return items.map((item) => verifyJs(item?.publicKey, item?.message, item?.signature))
  return Array.from(nativeSm2.verifyBatch(items), (valid) => valid === 1)
}

/** For logs and `wichain bench`: which SM2 verify path this process uses. */
export function describeVerifyPath(): string {
  return nativeSm2 === undefined ? `pure JS (native addon ${nativeSm2Status.reason})` : `native (${nativeSm2Status.reason})`
}
