/**
 * SM2 verify throughput on every path wichain has, with `openssl speed sm2` in the same run:
 *   pure JS (sm-crypto-v2, precompute cached), the native addon's fast path (key table built,
 *   and first sight of a key), the addon's OpenSSL EVP path, and VerifyPool with 2 threads
 *   (native, and pure JS).
 * Run: npx tsx bench/sm2-verify.ts [--duration-ms 2000] [--json]
 *
 * Two rates per figure: per wall-clock second, and per second of this process's CPU time (all
 * threads). `openssl speed` divides by CPU user time, so on a shared, loaded machine compare
 * CPU rates with it; wall rates say what the node would actually get at that moment.
 */
import {execFile} from 'node:child_process'
import {loadavg} from 'node:os'
import {setImmediate as yieldToEventLoop} from 'node:timers/promises'
import {parseOpensslSm2} from '../src/bench/crypto.js'
import {nativeSm2, nativeSm2Status, type SignedMessage} from '../src/core/crypto/native.js'
import {generateKeyPair, sign, verify} from '../src/core/crypto/sm2.js'
import {VerifyPool} from '../src/core/crypto/verify-pool.js'

interface Figure {
  readonly path: string
  readonly wallPerSec: number
  readonly cpuPerSec: number
}

const SLICE_MS = 50
const POOL_BATCH_ITEMS = 512
const POOL_BATCHES_IN_FLIGHT = 2
const KEYS = 64

function durationFromArguments(): number {
  const index = process.argv.indexOf('--duration-ms')
  const value = index === -1 ? 2000 : Number(process.argv[index + 1])
  if (!Number.isInteger(value) || value < 100 || value > 60_000) throw new Error('--duration-ms must be an integer in 100..60000')
  return value
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1e6
}

/** Runs `operation` (which must return true) for `durationMs` in slices. */
async function measure(path: string, durationMs: number, operation: () => boolean): Promise<Figure> {
  let operations = 0
  const cpuStart = process.cpuUsage()
  const started = performance.now()
  let now = started
  while (now - started < durationMs) {
    const sliceEnd = Math.min(now + SLICE_MS, started + durationMs)
    do {
      if (!operation()) throw new Error(`${path}: a valid signature did not verify`)
      operations++
      now = performance.now()
    } while (now < sliceEnd)
    await yieldToEventLoop()
  }
  return {path, wallPerSec: operations / ((now - started) / 1000), cpuPerSec: operations / cpuSeconds(cpuStart)}
}

/** Keeps POOL_BATCHES_IN_FLIGHT batches queued so no thread waits on the main thread. */
async function measurePool(path: string, durationMs: number, pool: VerifyPool, batch: readonly SignedMessage[]): Promise<Figure> {
  await pool.ready()
  for (let warmup = 0; warmup < 2; warmup++) await pool.verifyBatch(batch) // key tables in every thread
  let verified = 0
  const cpuStart = process.cpuUsage()
  const started = performance.now()
  const runner = async (): Promise<void> => {
    while (performance.now() - started < durationMs) {
      const results = await pool.verifyBatch(batch)
      if (!results.every(Boolean)) throw new Error(`${path}: a valid signature did not verify`)
      verified += results.length
    }
  }
  await Promise.all(Array.from({length: POOL_BATCHES_IN_FLIGHT}, runner))
  const elapsedSeconds = (performance.now() - started) / 1000
  return {path, wallPerSec: verified / elapsedSeconds, cpuPerSec: verified / cpuSeconds(cpuStart)}
}

function opensslSm2Verify(seconds: number): Promise<number | null> {
  return new Promise((resolve) => {
    execFile('openssl', ['speed', '-mr', '-seconds', String(seconds), 'sm2'], {timeout: (seconds * 2 + 30) * 1000}, (error, stdout) => {
      resolve(error === null ? parseOpensslSm2(stdout)?.verifyPerSec ?? null : null)
    })
  })
}

function signedBatch(): SignedMessage[] {
  const keys = Array.from({length: KEYS}, () => generateKeyPair())
  return Array.from({length: POOL_BATCH_ITEMS}, (_, index) => {
    const key = keys[index % KEYS]!
    const message = new Uint8Array(256).fill(index & 0xff) // about the size of a signed tx body
    return {publicKey: key.publicKey, message, signature: sign(key.privateKey, message, key.publicKey)}
  })
}

async function singleThreadFigures(durationMs: number, item: SignedMessage): Promise<Figure[]> {
  const {publicKey, message, signature} = item
  verify(publicKey, message, signature) // two sightings admit the key to the precompute cache
  const figures = [await measure('pure JS, 1 thread (key precomputed)', durationMs, () => verify(publicKey, message, signature))]
  if (nativeSm2 === undefined) return figures
  const addon = nativeSm2
  addon.verify(publicKey, message, signature)
  addon.verify(publicKey, message, signature)
  figures.push(await measure('native, 1 thread (key table built)', durationMs, () => addon.verify(publicKey, message, signature)))
  figures.push(await measure('native, 1 thread (first sight of the key)', durationMs, () => {
    addon.clearCaches()
    return addon.verify(publicKey, message, signature)
  }))
  figures.push(await measure('native OpenSSL EVP, 1 thread (reference)', durationMs, () => addon.verifyOpenssl(publicKey, message, signature)))
  return figures
}

async function poolFigure(path: string, durationMs: number, batch: readonly SignedMessage[], pureJs: boolean): Promise<Figure> {
  if (pureJs) process.env['WICHAIN_NATIVE_SM2'] = 'off' // threads copy the environment at start
  const pool = new VerifyPool({threads: 2})
  if (pureJs) delete process.env['WICHAIN_NATIVE_SM2']
  try {
    return await measurePool(path, durationMs, pool, batch)
  } finally {
    await pool.close()
  }
}

function printTable(figures: readonly Figure[], opensslVerifyPerSec: number | null, loads: readonly string[]): void {
  const rows = figures.map((figure) => {
    const ratio = opensslVerifyPerSec === null ? '' : `${(figure.cpuPerSec / opensslVerifyPerSec).toFixed(2)}×`
    return `${figure.path.padEnd(44)} ${Math.round(figure.wallPerSec).toString().padStart(8)} ${Math.round(figure.cpuPerSec).toString().padStart(9)} ${ratio.padStart(9)}`
  })
  console.log(`SM2 verify/s — ${nativeSm2Status.available ? 'native addon loaded' : `native addon absent: ${nativeSm2Status.reason}`}`)
  console.log(`load average (1 min) at start/end: ${loads.join(' / ')}`)
  console.log(`${'path'.padEnd(44)} ${'wall/s'.padStart(8)} ${'CPU-s/s'.padStart(9)} ${'vs openssl'.padStart(9)}`)
  for (const row of rows) console.log(row)
  console.log(`${'openssl speed sm2 (per CPU second)'.padEnd(44)} ${''.padStart(8)} ${String(opensslVerifyPerSec === null ? 'n/a' : Math.round(opensslVerifyPerSec)).padStart(9)}`)
}

async function main(): Promise<void> {
  const durationMs = durationFromArguments()
  const loads = [loadavg()[0]!.toFixed(2)]
  const batch = signedBatch()
  const figures = await singleThreadFigures(durationMs, batch[0]!)
  if (nativeSm2 !== undefined) figures.push(await poolFigure('VerifyPool, 2 threads, native', durationMs, batch, false))
  figures.push(await poolFigure('VerifyPool, 2 threads, pure JS', durationMs, batch, true))
  const opensslVerifyPerSec = await opensslSm2Verify(Math.max(1, Math.round(durationMs / 1000)))
  loads.push(loadavg()[0]!.toFixed(2))
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({native: nativeSm2Status, loadAverage: loads, figures, opensslVerifyPerSec}, null, 2))
  } else {
    printTable(figures, opensslVerifyPerSec, loads)
  }
}

await main()
