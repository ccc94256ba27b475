/**
 * Crypto throughput of wichain's SM core, and `openssl speed` on the same machine as the native
 * ceiling. MB/s here means 10^6 bytes per second, the unit `openssl speed` reports.
 * Each figure runs for a fixed duration in slices, yielding to the event loop between slices.
 */
import {execFile} from 'node:child_process'
import {setImmediate as yieldToEventLoop} from 'node:timers/promises'
import {describeVerifyPath, fastVerify} from '../core/crypto/native.js'
import {createSigner, generateKeyPair, verify} from '../core/crypto/sm2.js'
import {verifyUncached} from '../core/crypto/sm2-signature.js'
import {sm3} from '../core/crypto/sm3.js'
import {sm4EncryptCbc} from '../core/crypto/sm4.js'
import {WichainError} from '../core/errors.js'

export interface CryptoBenchResult {
  readonly sm2SignPerSec: number
  /** What nodes use (`fastVerify`: the native addon when built, else pure JS). */
  readonly sm2VerifyPerSec: number
  /** Pure JS with the precompute cache (sm-crypto-v2). */
  readonly sm2VerifyJsPerSec: number
  readonly verifyPath: string
  readonly sm2VerifyNoCachePerSec: number
  readonly sm3MBps: number
  readonly sm4MBps: number
}

export interface OpensslSpeedResult {
  readonly sm2SignPerSec: number
  readonly sm2VerifyPerSec: number
  readonly sm3MBps: number
  readonly sm4MBps: number
}

const DURATION_MS_DEFAULT = 2000
const DURATION_MS_MAX = 60_000
const SLICE_MS = 50
const BUFFER_BYTES = 1024 * 1024
const BYTES_PER_MB = 1_000_000

/** Runs `operation` for `durationMs`; returns operations per second. */
export async function rate(durationMs: number, operation: () => void): Promise<number> {
  let operations = 0
  const started = performance.now()
  let now = started
  while (now - started < durationMs) {
    const sliceEnd = Math.min(now + SLICE_MS, started + durationMs)
    do {
      operation()
      operations++
      now = performance.now()
    } while (now < sliceEnd)
    await yieldToEventLoop()
  }
  return operations / ((now - started) / 1000)
}

function checkDuration(durationMs: number): void {
  if (!Number.isInteger(durationMs) || durationMs < 1 || durationMs > DURATION_MS_MAX) {
    throw new WichainError('INVALID_ARGUMENT', `durationMs must be an integer in 1..${DURATION_MS_MAX}`)
  }
}

export async function benchCrypto(options: {durationMs?: number} = {}): Promise<CryptoBenchResult> {
  const durationMs = options.durationMs ?? DURATION_MS_DEFAULT
  checkDuration(durationMs)
  const signer = createSigner(generateKeyPair())
  const message = new Uint8Array(256).fill(0x5a) // about the size of a signed tx body
  const signature = signer.sign(message)
  // Two sightings admit the key to the precompute cache, as for any regular signer.
  if (!verify(signer.publicKey, message, signature) || !verify(signer.publicKey, message, signature) || !fastVerify(signer.publicKey, message, signature) || !fastVerify(signer.publicKey, message, signature)) {
    throw new WichainError('INTERNAL', 'benchmark signature does not verify')
  }
  const buffer = new Uint8Array(BUFFER_BYTES).fill(0xa5)
  const key = new Uint8Array(16).fill(1)
  const iv = new Uint8Array(16).fill(2)
  const megabytes = BUFFER_BYTES / BYTES_PER_MB
  return {
    sm2SignPerSec: await rate(durationMs, () => signer.sign(message)),
    sm2VerifyPerSec: await rate(durationMs, () => fastVerify(signer.publicKey, message, signature)),
    sm2VerifyJsPerSec: await rate(durationMs, () => verify(signer.publicKey, message, signature)),
    verifyPath: describeVerifyPath(),
    sm2VerifyNoCachePerSec: await rate(durationMs, () => verifyUncached(signer.publicKey, message, signature)),
    sm3MBps: (await rate(durationMs, () => sm3(buffer))) * megabytes,
    sm4MBps: (await rate(durationMs, () => sm4EncryptCbc(key, iv, buffer))) * megabytes,
  }
}

/**
 * SM2 sign/s and verify/s from `openssl speed [-mr] sm2` output. The machine-readable line is
 * `+F<n>:<index>:<bits>:<curve>:<sign/s>:<verify/s>`; the human table ends its SM2 row with them.
 */
export function parseOpensslSm2(output: string): {signPerSec: number; verifyPerSec: number} | null {
  const machine = /^\+F\d*:\d+:\d+:[^:\n]*SM2[^:\n]*:([\d.]+):([\d.]+)\s*$/m.exec(output)
  const human = /^.*SM2 \(.*\)\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)\s+([\d.]+)\s*$/m.exec(output)
  const match = machine ?? human
  if (match === null) return null
  return {signPerSec: Number(match[1]), verifyPerSec: Number(match[2])}
}

/**
 * Bytes/s for the first block size of `openssl speed [-mr] -evp <algorithm>`:
 * `+F:<index>:<name>:<bytes/s>…` machine-readable, or `<name>  <n>k …` (1000s of bytes/s).
 */
export function parseOpensslEvp(output: string, algorithm: string): number | null {
  const name = algorithm.replace(/[^A-Za-z0-9-]/g, '')
  const machine = new RegExp(`^\\+F:\\d+:${name}:([\\d.]+)`, 'mi').exec(output)
  if (machine !== null) return Number(machine[1])
  const human = new RegExp(`^${name}\\s+([\\d.]+)k`, 'mi').exec(output)
  return human === null ? null : Number(human[1]) * 1000
}

function run(command: string, args: string[], timeoutMs: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    execFile(command, args, {timeout: timeoutMs, maxBuffer: 1024 * 1024}, (error, stdout) => {
      if (error === null) resolve(stdout)
      else if ((error as NodeJS.ErrnoException).code === 'ENOENT') resolve(null)
      else reject(new WichainError('OPERATION_FAILED', `${command} ${args.join(' ')} failed: ${error.message}`))
    })
  })
}

function parsed<T>(value: T | null, what: string, output: string): T {
  if (value === null) throw new WichainError('OPERATION_FAILED', `cannot read ${what} from openssl speed output`, {output: output.slice(-500)})
  return value
}

/**
 * Runs `openssl speed` for SM2, SM3 and SM4-CBC (16 KiB blocks). OpenSSL 3.0 knows sm3/sm4 only
 * through -evp (`openssl speed sm3` says "Unknown algorithm"), so those go as `-evp sm3` and
 * `-evp sm4-cbc`, one run each. Resolves null when no openssl binary is installed.
 */
export async function opensslSpeed(options: {seconds?: number; openssl?: string} = {}): Promise<OpensslSpeedResult | null> {
  const seconds = options.seconds ?? 3
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60) throw new WichainError('INVALID_ARGUMENT', 'seconds must be an integer in 1..60')
  const openssl = options.openssl ?? 'openssl'
  const timeoutMs = (seconds * 2 + 30) * 1000 // sm2 runs sign and verify, seconds each
  const common = ['speed', '-mr', '-seconds', String(seconds)]
  const sm2Output = await run(openssl, [...common, 'sm2'], timeoutMs)
  if (sm2Output === null) return null
  const sm3Output = await run(openssl, [...common, '-bytes', '16384', '-evp', 'sm3'], timeoutMs)
  const sm4Output = await run(openssl, [...common, '-bytes', '16384', '-evp', 'sm4-cbc'], timeoutMs)
  if (sm3Output === null || sm4Output === null) return null
  const sm2Figures = parsed(parseOpensslSm2(sm2Output), 'SM2 figures', sm2Output)
  return {
    sm2SignPerSec: sm2Figures.signPerSec,
    sm2VerifyPerSec: sm2Figures.verifyPerSec,
    sm3MBps: parsed(parseOpensslEvp(sm3Output, 'sm3'), 'SM3 figures', sm3Output) / BYTES_PER_MB,
    sm4MBps: parsed(parseOpensslEvp(sm4Output, 'sm4-cbc'), 'SM4 figures', sm4Output) / BYTES_PER_MB,
  }
}
