/**
 * `wichain bench catchup`: how fast a node catches up after missing a gap of full blocks, beside
 * how fast the cluster committed those same blocks live. Real node processes on loopback: the last
 * node is stopped, the others commit `blocks` × `blockTxs` signed `evidence.put` txs, the stopped
 * node restarts and is timed from its process start to its head at the gap's last height, split
 * into start-up (until its RPC answers) and sync. Bytes are the encoded blocks and commit
 * certificates of the gap (what sync moves), read through `chain.blocks` outside the timed windows.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fromHex} from '../core/bytes.js'
import {parseGenesis} from '../core/chain/genesis.js'
import {createSigner, readKeystoreFile, type Signer} from '../core/crypto/index.js'
import {toWichainError, WichainError} from '../core/errors.js'
import {decodeBlock} from '../core/types/block.js'
import type {ConsensusKind} from '../core/types/certificate.js'
import {createTx, type Tx} from '../core/types/tx.js'
import {WichainClient} from '../sdk/client.js'
import {initNetwork} from '../ops/network.js'
import {runningPid, startDetached, stopNode} from '../ops/process.js'
import {allCommitted, LOAD_BATCH_TXS, submitAll, type LoadCounters} from './load.js'

export interface CatchupOptions {
  readonly consensus: ConsensusKind
  readonly nodes: number
  /** Full blocks in the gap. */
  readonly blocks: number
  /** Genesis blockTxsMax; unset: the template's. */
  readonly blockTxs?: number
  readonly template?: string
  /** Longest wait for each phase (the live load, the catch-up). */
  readonly timeoutMs?: number
  readonly progress?: (message: string) => void
}

export interface CatchupResult extends CatchupFigures {
  readonly consensus: ConsensusKind
  readonly nodes: number
  readonly blockTxs: number
  readonly txs: number
  /** Heights the stopped node missed: (fromHeight, toHeight]. */
  readonly gap: {readonly fromHeight: number; readonly toHeight: number; readonly blocks: number; readonly fullBlocks: number; readonly txs: number; readonly bytes: number}
  readonly signMs: number
  readonly load: {readonly retries: number; readonly resent: number}
  /** 1/5/15-minute load averages at the start and the end (other work shares the machine). */
  readonly loadAverage: {readonly start: readonly number[]; readonly end: readonly number[]}
}

const CHAIN_ID = 'wi-bench-catchup'
const POLL_MS = 50
/** Txs handed to the nodes at a time, so that a full mempool refuses (and has resent) one slice at most. */
const SUBMIT_SLICE_TXS = 5_000
const WARMUP_TXS_MAX = 400
const TIMEOUT_MS_DEFAULT = 20 * 60_000

export interface CatchupFigures {
  /** The cluster building the gap: blocks and MB (10^6 bytes) committed per second of load. */
  readonly live: {readonly ms: number; readonly blocksPerSec: number; readonly mbPerSec: number}
  /**
   * The restarted node: `readyMs` from process start until its RPC answers, `syncMs` from then
   * until its head reaches the gap's last height; rates over the blocks it applied during the
   * sync, and `withStart` over the whole gap and both times together.
   */
  readonly catchup: {
    readonly readyMs: number
    readonly syncMs: number
    readonly blocksPerSec: number
    readonly mbPerSec: number
    readonly withStart: {readonly ms: number; readonly blocksPerSec: number; readonly mbPerSec: number}
  }
  /** Catch-up MB/s ÷ live MB/s (over the whole gap, `withStart`, blocks/s give the same ratio). */
  readonly ratio: {readonly sync: number; readonly withStart: number}
}

export interface CatchupMeasurements {
  /** Encoded bytes of each block of the gap, in height order. */
  readonly blockBytes: readonly number[]
  readonly liveMs: number
  readonly readyMs: number
  readonly syncMs: number
  /** Gap blocks the node already had when its RPC first answered (applied during start-up). */
  readonly blocksBeforeReady: number
}

const perSec = (amount: number, ms: number, digits: number) => (ms > 0 ? Number(((amount * 1000) / ms).toFixed(digits)) : 0)
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0)

/** Rates and ratios from what a catch-up run measured. */
export function catchupFigures(measured: CatchupMeasurements): CatchupFigures {
  const blocks = measured.blockBytes.length
  const bytes = sum(measured.blockBytes)
  const before = Math.min(Math.max(measured.blocksBeforeReady, 0), blocks)
  const syncBytes = sum(measured.blockBytes.slice(before))
  const withStartMs = measured.readyMs + measured.syncMs
  const live = {ms: Math.round(measured.liveMs), blocksPerSec: perSec(blocks, measured.liveMs, 2), mbPerSec: perSec(bytes / 1e6, measured.liveMs, 2)}
  const liveRate = perSec(bytes, measured.liveMs, 6)
  const ratio = (rate: number) => (liveRate > 0 ? Number((rate / liveRate).toFixed(2)) : 0)
  return {
    live,
    catchup: {
      readyMs: Math.round(measured.readyMs),
      syncMs: Math.round(measured.syncMs),
      blocksPerSec: perSec(blocks - before, measured.syncMs, 2),
      mbPerSec: perSec(syncBytes / 1e6, measured.syncMs, 2),
      withStart: {ms: Math.round(withStartMs), blocksPerSec: perSec(blocks, withStartMs, 2), mbPerSec: perSec(bytes / 1e6, withStartMs, 2)},
    },
    ratio: {sync: ratio(perSec(syncBytes, measured.syncMs, 6)), withStart: ratio(perSec(bytes, withStartMs, 6))},
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const loadAverage = () => loadavg().map((value) => Number(value.toFixed(2)))

/**
 * Polls `check` until it holds. A node that does not answer a poll (busy applying blocks, or just
 * restarted behind a stale keep-alive socket) counts as "not yet", unless `alive()` says its
 * process is gone.
 */
async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError = ''
  for (;;) {
    try {
      if (await check()) return
    } catch (error) {
      const code = (error as {code?: string}).code
      if (code !== 'UNAVAILABLE' && code !== 'TIMEOUT') throw error
      lastError = ` (last poll: ${(error as Error).message})`
    }
    if (!alive()) throw new WichainError('OPERATION_FAILED', `a node exited while waiting for ${what}`)
    if (Date.now() > deadline) throw new WichainError('TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}${lastError}`)
    await delay(POLL_MS)
  }
}

/** The node's chain status, or undefined when it did not answer this poll (busy, or a stale socket). */
async function pollStatus(client: WichainClient): Promise<{height: number; mempool: {txs: number}} | undefined> {
  try {
    return (await client.chainStatus()) as unknown as {height: number; mempool: {txs: number}}
  } catch (error) {
    const code = (error as {code?: string}).code
    if (code === 'UNAVAILABLE' || code === 'TIMEOUT') return undefined
    throw error
  }
}

async function height(client: WichainClient): Promise<number> {
  return (await client.chainStatus()).height
}

/** Encoded bytes (block + certificate) and tx count of each height in (from, to], read from one node. */
async function gapBlocks(client: WichainClient, from: number, to: number): Promise<{bytes: number[]; txs: number[]}> {
  const bytes: number[] = []
  const txs: number[] = []
  for (let next = from + 1; next <= to; ) {
    const answer = await client.committedBlocks(next, Math.min(64, to - next + 1))
    if (answer.blocks.length === 0) throw new WichainError('OPERATION_FAILED', `chain.blocks from ${next} answered no block`)
    for (const item of answer.blocks) {
      if (item.height > to) break
      bytes.push((item.block.length + item.certificate.length) / 2)
      txs.push(decodeBlock(fromHex(item.block, 'block')).txs.length)
      next = item.height + 1
    }
  }
  return {bytes, txs}
}

/**
 * Stops every node still running and removes the network, once, whichever way the run ends; a
 * failed run (or WICHAIN_BENCH_KEEP) keeps the node homes and their logs.
 */
function cleaner(dir: string, homes: string[], progress: (message: string) => void): (keep: boolean) => Promise<void> {
  let done: Promise<void> | undefined
  return (keep) =>
    (done ??= (async () => {
      await Promise.all(homes.map((home) => stopNode(home, {force: true, timeoutMs: 10_000}).catch(() => undefined)))
      if (!keep && process.env.WICHAIN_BENCH_KEEP === undefined) rmSync(dir, {recursive: true, force: true})
      else progress(`kept ${dir}`)
    })())
}

export async function benchCatchup(options: CatchupOptions): Promise<CatchupResult> {
  const progress = options.progress ?? (() => undefined)
  if (options.nodes < 2) throw new WichainError('INVALID_ARGUMENT', 'catch-up needs at least 2 nodes (one is stopped)')
  const dir = mkdtempSync(join(tmpdir(), 'wichain-bench-'))
  const homes: string[] = []
  const cleanup = cleaner(dir, homes, progress)
  // Nodes run detached in their own process groups: an interrupted bench stops them itself.
  const onSignal = (signal: NodeJS.Signals) => void cleanup(false).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  let failed = false
  try {
    return await run(options, dir, homes, progress)
  } catch (error) {
    failed = true
    const failure = toWichainError(error)
    throw new WichainError(failure.code, `${failure.message} (node homes and logs kept in ${dir})`, failure.details, {cause: error})
  } finally {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
    await cleanup(failed)
  }
}

async function run(options: CatchupOptions, dir: string, homes: string[], progress: (message: string) => void): Promise<CatchupResult> {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS_DEFAULT
  const loadStart = loadAverage()
  const network = await initNetwork({
    out: join(dir, 'net'),
    nodes: options.nodes,
    consensus: options.consensus,
    chainId: CHAIN_ID,
    basePort: 0,
    template: options.template ?? 'work-injury',
    ...(options.blockTxs === undefined ? {} : {params: {blockTxsMax: options.blockTxs}}),
  })
  const params = parseGenesis(JSON.parse(readFileSync(network.genesis, 'utf8'))).params
  const blockTxs = params.blockTxsMax
  const txCount = options.blocks * blockTxs
  // Every tx is signed before the first block with an expiry a window ahead: the whole gap must
  // commit below it.
  if (options.blocks + 10 > params.txExpiryWindow / 2) throw new WichainError('INVALID_ARGUMENT', `--blocks must stay below ${Math.floor(params.txExpiryWindow / 2) - 10} (the tx expiry window is ${params.txExpiryWindow} blocks)`)
  const expiry = params.txExpiryWindow

  // Signed before any connection exists: signing is CPU-bound, and seconds of it would let the
  // client reuse keep-alive sockets the nodes closed meanwhile.
  progress(`signing ${txCount} txs (${options.blocks} blocks of ${blockTxs})`)
  const signer = createSigner(readKeystoreFile(network.admin.user.file))
  const signStarted = performance.now()
  const make = (prefix: string, count: number): Tx[] =>
    Array.from({length: count}, (_, index) =>
      createTx({chainId: CHAIN_ID, contract: 'evidence', method: 'put', args: {key: `${prefix}-${index}`, hash: 'cd'.repeat(32), meta: {case: `GS-${index}`, note: 'x'.repeat(120)}}, expiry}, signer),
    )
  const warmup = make('warmup', Math.min(WARMUP_TXS_MAX, blockTxs))
  const txs = make('gap', txCount)
  const signMs = performance.now() - signStarted

  homes.push(...network.nodes.map((node) => node.home))
  await Promise.all(homes.map((home) => startDetached(home)))
  const urls = network.nodes.map((node) => node.rpc)
  // Reads (status, blocks) need a signed request: the network's auditor.
  const reader = createSigner(readKeystoreFile(network.admin.auditor.file))
  const clients = urls.map((url) => new WichainClient(url, {signer: reader}))
  const lagging = clients.at(-1)!
  progress(`${options.nodes} ${options.consensus} nodes up; warming up with ${warmup.length} txs`)
  const counters: LoadCounters = {retries: 0, resent: 0}
  await submitAll(urls, warmup, counters)
  await waitUntil(() => allCommitted(urls.at(-1)!, warmup.slice(-LOAD_BATCH_TXS), reader), 120_000, 'the warm-up txs committed on every node')
  const fromHeight = await height(lagging)
  await waitUntil(async () => (await Promise.all(clients.map(height))).every((seen) => seen === fromHeight), 30_000, `every node at height ${fromHeight}`)
  await stopNode(homes.at(-1)!, {force: true})

  progress(`node${options.nodes - 1} stopped at height ${fromHeight}; loading the others with ${txs.length} txs`)
  const live = await buildGap(clients[0]!, homes[0]!, urls.slice(0, -1), txs, params.mempoolTxsMax, counters, timeoutMs, reader)
  const toHeight = live.toHeight
  const gap = await gapBlocks(clients[0]!, fromHeight, toHeight)
  const gapTxs = gap.txs.reduce((sum, count) => sum + count, 0)
  if (gapTxs < txs.length) throw new WichainError('OPERATION_FAILED', `the gap holds ${gapTxs} txs, fewer than the ${txs.length} submitted`)

  progress(`gap built: heights ${fromHeight + 1}..${toHeight}; restarting node${options.nodes - 1}`)
  const started = performance.now()
  await startDetached(homes.at(-1)!)
  const readyMs = performance.now() - started
  let heightAtReady: number | undefined
  const restarted = new WichainClient(lagging.url, {signer: reader})
  const reached = async () => (heightAtReady ??= await height(restarted)) >= toHeight || (await height(restarted)) >= toHeight
  await waitUntil(reached, timeoutMs, `node${options.nodes - 1} to reach height ${toHeight}`, () => runningPid(homes.at(-1)!) !== undefined)
  const syncMs = performance.now() - started - readyMs
  progress(`node${options.nodes - 1} caught up`)

  return {
    consensus: options.consensus,
    nodes: options.nodes,
    blockTxs,
    txs: txs.length,
    gap: {fromHeight, toHeight, blocks: toHeight - fromHeight, fullBlocks: gap.txs.filter((count) => count === blockTxs).length, txs: gapTxs, bytes: gap.bytes.reduce((sum, size) => sum + size, 0)},
    ...catchupFigures({blockBytes: gap.bytes, liveMs: live.ms, readyMs, syncMs, blocksBeforeReady: (heightAtReady ?? fromHeight) - fromHeight}),
    signMs: Math.round(signMs),
    load: {...counters},
    loadAverage: {start: loadStart, end: loadAverage()},
  }
}

/**
 * Submits every tx (a slice at a time, while the mempool has room) to the running nodes and waits
 * for the last to commit on `observer`. Live time: from the first submit until the observer's head reaches the gap's last
 * height (the time that height was first seen by polling).
 */
async function buildGap(observer: WichainClient, observerHome: string, urls: readonly string[], txs: readonly Tx[], mempoolTxsMax: number, counters: LoadCounters, timeoutMs: number, reader: Signer): Promise<{toHeight: number; ms: number}> {
  const started = performance.now()
  let submitted = false
  const mempoolStatus = async () => (await pollStatus(observer))?.mempool.txs ?? mempoolTxsMax
  const slice = Math.max(1, Math.min(SUBMIT_SLICE_TXS, Math.floor(mempoolTxsMax / 2)))
  const submitting = (async () => {
    for (let offset = 0; offset < txs.length; offset += slice) {
      // A slice only when the mempool has room for it: txs refused for a full mempool are sent
      // again and again, and decoding them would take CPU from the nodes being measured.
      while ((await mempoolStatus()) + slice > mempoolTxsMax) await delay(POLL_MS)
      await submitAll(urls, txs.slice(offset, offset + slice), counters)
    }
    submitted = true
  })()
  let failure: unknown
  submitting.catch((error: unknown) => (failure = error))
  let head = 0
  let headSeenAt = started
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (failure !== undefined) throw failure
    if (Date.now() > deadline) throw new WichainError('TIMEOUT', `the gap's txs did not commit within ${timeoutMs} ms`)
    const status = await pollStatus(observer)
    if (status === undefined) {
      if (runningPid(observerHome) === undefined) throw new WichainError('OPERATION_FAILED', `the observed node (${observer.url}) exited during the load`)
      await delay(POLL_MS)
      continue
    }
    if (status.height > head) [head, headSeenAt] = [status.height, performance.now()]
    // Done when every tx was accepted, none is pending, and the last ones are committed.
    if (submitted && status.mempool.txs === 0 && (await allCommitted(observer.url, txs.slice(-LOAD_BATCH_TXS), reader))) break
    await delay(POLL_MS)
  }
  await submitting
  const last = await observer.chainStatus()
  if (last.height > head) [head, headSeenAt] = [last.height, performance.now()]
  return {toHeight: head, ms: headSeenAt - started}
}
