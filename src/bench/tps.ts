/**
 * `wichain bench tps`: real node processes on loopback, SM2-signed evidence txs submitted with
 * batched JSON-RPC round-robin to every node, commits observed by following node0's blocks.
 * Reports sustained throughput (committed txs / time from first submit to last commit) and commit
 * latency percentiles (submit → block seen committed on node0), beside the single-core SM2
 * verify ceiling measured in the same run.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {toHex} from '../core/bytes.js'
import {WichainError} from '../core/errors.js'
import {fastVerify} from '../core/crypto/native.js'
import {rate} from './crypto.js'
import {createSigner, readKeystoreFile, sign, generateKeyPair} from '../core/crypto/index.js'
import {createTx, type Tx} from '../core/types/tx.js'
import type {ConsensusKind} from '../core/types/certificate.js'
import {WichainClient} from '../sdk/client.js'
import {initNetwork} from '../ops/network.js'
import {startDetached, stopNode} from '../ops/process.js'

export interface TpsOptions {
  readonly nodes: number
  readonly consensus: ConsensusKind
  readonly txs: number
  /** Txs per JSON-RPC batch request. */
  readonly batch?: number
  /**
   * Offered load in txs/s: batches leave on a fixed schedule (open loop), so latency is measured
   * at a sustained rate rather than for a burst. Unset: submit as fast as the nodes accept.
   */
  readonly rate?: number
  readonly timeoutMs?: number
  /** Chain template (genesis parameters). */
  readonly template?: string
  readonly progress?: (message: string) => void
  /** Txs committed before the measured window (default WARMUP_TXS). */
  readonly warmupTxs?: number
}

export const WARMUP_TXS = 400
const WARMUP_TIMEOUT_MS = 60_000

export interface TpsResult {
  readonly tps: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly submitted: number
  readonly committed: number
  readonly rejected: number
  readonly durationMs: number
  /** Time until every tx was accepted by a node (admission: decode, SM2 verify, forward). */
  readonly submitMs: number
  readonly nodes: number
  readonly consensus: ConsensusKind
  /** Offered load (txs/s), or null for a burst. */
  readonly rate: number | null
  readonly blocks: number
  readonly sm2VerifyCeilingPerSec: number
  /**
   * CPU time (user + system, all node processes together) per committed tx, from /proc: a figure
   * that holds when other work shares the machine; 2 cores / this = the CPU-bound tps ceiling.
   * Null where /proc is not available.
   */
  readonly nodeCpuMsPerTx: number | null
}

/** Milliseconds of CPU (user + system) a process has used, from /proc/PID/stat; undefined off Linux. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SEC
  } catch {
    return undefined
  }
}

/** USER_HZ: 100 on every Linux configuration Node.js supports. */
const CLOCK_TICKS_PER_SEC = 100

function totalCpuMs(pids: readonly number[]): number | undefined {
  let total = 0
  for (const pid of pids) {
    const used = cpuMs(pid)
    if (used === undefined) return undefined
    total += used
  }
  return total
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!
}

async function verifyCeiling(durationMs = 1000): Promise<number> {
  const key = generateKeyPair()
  const message = new Uint8Array(200)
  const signature = sign(key.privateKey, message, key.publicKey)
  // Two sightings give the key its precomputed table, as for any regular signer.
  fastVerify(key.publicKey, message, signature)
  fastVerify(key.publicKey, message, signature)
  return rate(durationMs, () => fastVerify(key.publicKey, message, signature))
}

/** Submits a batch; returns how many the node refused. Retries once on a dropped connection. */
async function submitBatch(url: string, txs: readonly Tx[], attempt = 0): Promise<number> {
  const body = JSON.stringify(txs.map((tx, id) => ({jsonrpc: '2.0', id, method: 'tx.send', params: {tx: toHex(tx.bytes)}})))
  try {
    const response = await fetch(url, {method: 'POST', headers: {'content-type': 'application/json'}, body})
    const replies = (await response.json()) as Array<{error?: {data?: {code?: string}}}>
    return replies.filter((reply) => reply.error !== undefined && reply.error.data?.code !== 'DUPLICATE_TX').length
  } catch (error) {
    if (attempt >= 2) return txs.length
    return submitBatch(url, txs, attempt + 1)
  }
}

export async function benchTps(options: TpsOptions): Promise<TpsResult> {
  const progress = options.progress ?? (() => undefined)
  const dir = mkdtempSync(join(tmpdir(), 'wichain-bench-'))
  const homes: string[] = []
  try {
    const network = await initNetwork({out: dir, nodes: options.nodes, consensus: options.consensus, chainId: 'wi-bench', basePort: 0, template: options.template ?? 'work-injury'})
    homes.push(...network.nodes.map((node) => node.home))
    const pids = (await Promise.all(homes.map((home) => startDetached(home)))).map((started) => started.pid)
    progress(`${options.nodes} ${options.consensus} node(s) up; signing ${options.txs} txs`)
    const signer = createSigner(readKeystoreFile(network.admin.user.file))
    const txs = Array.from({length: options.txs}, (_, index) =>
      createTx({chainId: 'wi-bench', contract: 'evidence', method: 'put', args: {key: `bench-${index}`, hash: 'ab'.repeat(32)}, expiry: 900}, signer),
    )
    // Reads (waits, status, blocks) need a signed request: the network's auditor.
    const reader = createSigner(readKeystoreFile(network.admin.auditor.file))
    const clients = network.nodes.map((node) => new WichainClient(node.rpc, {signer: reader}))
    // Warm-up outside the measured window: freshly started nodes still load and JIT-compile the
    // commit path, and a slow first height makes the first blocks large for the rest of a run.
    const warmup = Array.from({length: options.warmupTxs ?? WARMUP_TXS}, (_, index) =>
      createTx({chainId: 'wi-bench', contract: 'evidence', method: 'put', args: {key: `warmup-${index}`, hash: 'cd'.repeat(32)}, expiry: 900}, signer),
    )
    if (warmup.length > 0) {
      progress(`warming up with ${warmup.length} txs`)
      const size = Math.min(options.batch ?? 100, 100)
      let refused = 0
      for (let offset = 0, turn = 0; offset < warmup.length; offset += size, turn++) {
        refused += await submitBatch(network.nodes[turn % network.nodes.length]!.rpc, warmup.slice(offset, offset + size))
      }
      const last = warmup.at(-1)!
      const committed = refused === 0 ? await clients[0]!.waitTx(last.hashHex, WARMUP_TIMEOUT_MS) : undefined
      if (committed?.status !== 'ok') throw new WichainError('TIMEOUT', `warm-up did not commit (${refused} of ${warmup.length} txs refused)`)
    }
    const warmHeight = (await clients[0]!.chainStatus()).height
    const submittedAt = new Map<string, number>()
    const batch = options.batch ?? 100
    let rejected = 0
    let submitMs = 0
    const cpuBefore = totalCpuMs(pids)
    const start = performance.now()
    const submitting = (async () => {
      const inFlight: Promise<void>[] = []
      for (let offset = 0, turn = 0; offset < txs.length; offset += batch, turn++) {
        if (options.rate !== undefined) {
          const due = start + (offset * 1000) / options.rate
          const wait = due - performance.now()
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
        }
        const slice = txs.slice(offset, offset + batch)
        const now = performance.now()
        for (const tx of slice) submittedAt.set(tx.hashHex, now)
        inFlight.push(submitBatch(network.nodes[turn % network.nodes.length]!.rpc, slice).then((count) => void (rejected += count)))
        if (inFlight.length >= network.nodes.length * 2) await inFlight.shift()
      }
      await Promise.all(inFlight)
      submitMs = performance.now() - start
    })()
    const latencies: number[] = []
    let height = warmHeight
    let blocks = 0
    let lastCommit = start
    const deadline = Date.now() + (options.timeoutMs ?? 120_000)
    while (latencies.length + rejected < txs.length && Date.now() < deadline) {
      const status = await clients[0]!.chainStatus()
      const seenAt = performance.now()
      for (; height < status.height; ) {
        height++
        const block = (await clients[0]!.getBlock(height)) as unknown as {txs: string[]}
        blocks++
        for (const hash of block.txs) {
          const submitted = submittedAt.get(hash)
          if (submitted !== undefined) latencies.push(seenAt - submitted)
        }
        lastCommit = seenAt
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await submitting
    const cpuAfter = totalCpuMs(pids)
    latencies.sort((a, b) => a - b)
    const durationMs = lastCommit - start
    progress(`measuring the SM2 verify ceiling`)
    return {
      tps: latencies.length === 0 ? 0 : Math.round((latencies.length * 1000) / durationMs),
      p50Ms: Math.round(percentile(latencies, 0.5)),
      p99Ms: Math.round(percentile(latencies, 0.99)),
      submitted: txs.length,
      committed: latencies.length,
      rejected,
      durationMs: Math.round(durationMs),
      submitMs: Math.round(submitMs),
      nodes: options.nodes,
      consensus: options.consensus,
      rate: options.rate ?? null,
      blocks,
      sm2VerifyCeilingPerSec: Math.round(await verifyCeiling()),
      nodeCpuMsPerTx: cpuBefore === undefined || cpuAfter === undefined || latencies.length === 0 ? null : Number(((cpuAfter - cpuBefore) / latencies.length).toFixed(3)),
    }
  } finally {
    for (const home of homes) await stopNode(home, {force: true}).catch(() => undefined)
    if (process.env.WICHAIN_BENCH_KEEP === undefined) rmSync(dir, {recursive: true, force: true})
    else progress(`kept ${dir}`)
  }
}
