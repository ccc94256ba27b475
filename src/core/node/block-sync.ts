/**
 * Block sync for one chain: learns the peers' heights (a status poll, and the engine's requests),
 * and when it is behind pulls the missing blocks with several requests in flight, spread over the
 * peers that have them. Answers are bounded by bytes and count (limits.ts), so a request may come
 * back with fewer blocks than asked: the rest of its range is asked again. Blocks are applied in
 * height order through the chain (the engine checks each certificate); a peer whose block is
 * refused, or whose request fails, cools down and its range goes to another peer.
 *
 * It owns the sync state every operator sees (`node status`, `node wait`, metrics):
 * following | catching-up | stalled, target, rate, ETA, last error, failure count. A stall is
 * logged as a warning with its reason (rate-limited); catch-up progress as info lines.
 */
import type {CommittedBlock} from '../consensus/engine.js'
import {
  SYNC_BLOCKS_PER_ANSWER_MAX, SYNC_BUFFER_BYTES_MAX, SYNC_REQUESTS_IN_FLIGHT_MAX,
} from '../limits.js'
import type {Logger} from '../log.js'
import {decodeBlocksAnswer, decodeStatusAnswer, type SyncQuery} from './sync-protocol.js'

/** Behind by at most this many blocks counts as following (consensus commits the next one). */
const FOLLOWING_GAP_MAX = 2
/** Behind with no progress for this long: stalled. */
export const STALL_MS = 10_000
/** A peer that failed a request or sent a refused block is asked again only after this long. */
const PEER_COOLDOWN_MS = 3_000
/** Window of (time, height) samples the rate is measured over. */
const RATE_WINDOW_MS = 10_000
const RATE_SAMPLES_MAX = 64
/** At most one stall warning per this period (the failure counter counts every one). */
const STALL_WARNING_EVERY_MS = 30_000
/** At most one progress info line per this period while catching up. */
const PROGRESS_INFO_EVERY_MS = 5_000
const ERROR_CHARS_MAX = 300

export type SyncStateName = 'following' | 'catching-up' | 'stalled'

export interface SyncState {
  readonly state: SyncStateName
  readonly height: number
  /** Highest height a peer reported (0 when none is known). */
  readonly target: number
  readonly gap: number
  readonly blocksPerSec: number
  /** Seconds to reach the target at the current rate; null when not catching up or no rate yet. */
  readonly etaSec: number | null
  readonly lastError: string | undefined
  /** Failed requests, refused blocks and stall periods since start (a counter). */
  readonly failures: number
  readonly inFlight: number
}

export interface BlockSyncOptions {
  /** The chain: its head and the in-order application of a synced block (false: refused). */
  readonly chain: {head(): {height: number}; applySynced(block: CommittedBlock): Promise<boolean>}
  /** Connected peers (public keys, hex). */
  readonly peers: () => readonly string[]
  readonly request: (peer: string, query: SyncQuery) => Promise<Uint8Array>
  readonly now: () => number
  readonly logger: Logger
  /** A peer reported its height (peer health listens). */
  readonly onPeerHeight?: (peer: string, height: number) => void
  /** Tests and the simulator lower these to exercise the windowing with small chains. */
  readonly blocksPerRequest?: number
  readonly inFlightMax?: number
}

interface Range {
  readonly from: number
  readonly count: number
}

interface Answer {
  readonly range: Range
  readonly peer: string
  readonly blocks?: readonly CommittedBlock[]
  readonly bytes: number
  readonly error?: string
}

export class BlockSync {
  private readonly heights = new Map<string, number>()
  private readonly cooldown = new Map<string, number>()
  private readonly samples: {at: number; height: number}[] = []
  private running = false
  private closed = false
  private inFlight = 0
  private failures = 0
  private lastError: string | undefined
  private lastHeight = -1
  private lastProgressMs: number
  private behindSinceMs: number | undefined
  private lastStallWarningMs = -Infinity
  private lastProgressInfoMs = -Infinity
  private stalledLogged = false
  private peerCursor = 0

  constructor(private readonly options: BlockSyncOptions) {
    this.lastProgressMs = options.now()
  }

  /** Ask every connected peer for its height, then catch up if anyone is ahead. */
  async poll(): Promise<void> {
    if (this.closed) return
    await Promise.all(
      this.options.peers().map(async (peer) => {
        try {
          const status = decodeStatusAnswer(await this.options.request(peer, {type: 'status'}))
          this.notePeerHeight(peer, status.height)
        } catch {
          // an unreachable peer is not a sync source this round (peer health reports it)
        }
      }),
    )
    this.observe()
    await this.catchUp()
  }

  notePeerHeight(peer: string, height: number): void {
    this.heights.set(peer, height)
    this.options.onPeerHeight?.(peer, height)
  }

  /** The peer left: it is no sync source until it reports again. */
  forgetPeer(peer: string): void {
    this.heights.delete(peer)
  }

  private target(): number {
    let target = 0
    const connected = new Set(this.options.peers())
    for (const [peer, height] of this.heights) if (connected.has(peer) && height > target) target = height
    return target
  }

  /** Pull blocks until our head reaches the best known peer height (no-op while a pass runs). */
  async catchUp(): Promise<void> {
    if (this.running || this.closed) return
    this.running = true
    try {
      await this.pass()
    } catch (error) {
      this.fail(`sync pass failed: ${(error as Error).message}`)
    } finally {
      this.running = false
      this.observe()
    }
  }

  private async pass(): Promise<void> {
    const {chain} = this.options
    const blocksPerRequest = this.options.blocksPerRequest ?? SYNC_BLOCKS_PER_ANSWER_MAX
    const inFlightMax = this.options.inFlightMax ?? SYNC_REQUESTS_IN_FLIGHT_MAX
    const received = new Map<number, {block: CommittedBlock; peer: string}>()
    const retry: Range[] = []
    const pending = new Set<Promise<Answer>>()
    let bufferedBytes = 0
    let cursor = chain.head().height + 1
    let chunk = blocksPerRequest

    const nextRange = (target: number): Range | undefined => {
      const head = chain.head().height
      while (retry.length > 0) {
        const range = retry.shift()!
        const from = Math.max(range.from, head + 1)
        const end = range.from + range.count
        if (from < end) return {from, count: end - from}
      }
      cursor = Math.max(cursor, head + 1)
      if (cursor > target) return undefined
      const range = {from: cursor, count: Math.min(chunk, target - cursor + 1)}
      cursor += range.count
      return range
    }
    const launch = (range: Range, peer: string): void => {
      this.inFlight++
      const request: Promise<Answer> = this.options.request(peer, {type: 'blocks', from: range.from, count: range.count}).then(
        (bytes) => ({range, peer, blocks: decodeBlocksAnswer(bytes), bytes: bytes.length}),
        (error: Error) => ({range, peer, bytes: 0, error: error.message}),
      )
      const tracked = request.finally(() => {
        this.inFlight--
        pending.delete(tracked)
      })
      pending.add(tracked)
    }

    for (;;) {
      if (this.closed) return
      const target = this.target()
      // Fill the window: several requests, each to the next peer that has the range.
      while (pending.size < inFlightMax && bufferedBytes < SYNC_BUFFER_BYTES_MAX) {
        const range = nextRange(target)
        if (range === undefined) break
        const peer = this.pickPeer(range.from + range.count - 1) ?? this.pickPeer(range.from)
        if (peer === undefined) {
          retry.unshift(range)
          break
        }
        launch(range, peer)
      }
      if (pending.size === 0) return
      const answer = await Promise.race(pending)
      if (answer.error !== undefined || answer.blocks === undefined) {
        this.peerFailed(answer.peer, `blocks ${answer.range.from}+${answer.range.count} from ${short(answer.peer)}: ${answer.error}`)
        retry.push(answer.range)
        continue
      }
      const blocks = answer.blocks.filter((block, index) => block.height === answer.range.from + index && index < answer.range.count)
      if (blocks.length < answer.blocks.length) {
        this.peerFailed(answer.peer, `${short(answer.peer)} answered blocks outside the range asked`)
        retry.push(answer.range)
        continue
      }
      if (blocks.length === 0) {
        // It reported a height it does not serve: not a source until it cools down.
        this.peerFailed(answer.peer, `${short(answer.peer)} reported height ${this.heights.get(answer.peer)} but served no block from ${answer.range.from}`)
        retry.push(answer.range)
        continue
      }
      // A byte-bounded answer: ask the rest again, and ask for that many per request from now on.
      if (blocks.length < answer.range.count) {
        retry.unshift({from: answer.range.from + blocks.length, count: answer.range.count - blocks.length})
        chunk = Math.max(1, blocks.length)
      }
      for (const block of blocks) {
        if (block.height > chain.head().height && !received.has(block.height)) {
          received.set(block.height, {block, peer: answer.peer})
          bufferedBytes += block.payload.length
        }
      }
      bufferedBytes = await this.applyReady(received, retry, bufferedBytes)
    }
  }

  /** Applies buffered blocks in height order; returns the bytes still buffered. */
  private async applyReady(received: Map<number, {block: CommittedBlock; peer: string}>, retry: Range[], bufferedBytes: number): Promise<number> {
    const {chain} = this.options
    for (;;) {
      const next = chain.head().height + 1
      for (const height of received.keys()) {
        if (height < next) {
          bufferedBytes -= received.get(height)!.block.payload.length
          received.delete(height)
        }
      }
      const entry = received.get(next)
      if (entry === undefined) return bufferedBytes
      received.delete(next)
      bufferedBytes -= entry.block.payload.length
      if (!(await chain.applySynced(entry.block))) {
        if (chain.head().height >= next) continue
        // Refused (bad certificate or content): drop what that peer sent and ask others.
        for (const [height, other] of received) {
          if (other.peer === entry.peer) {
            bufferedBytes -= other.block.payload.length
            received.delete(height)
            retry.push({from: height, count: 1})
          }
        }
        retry.unshift({from: next, count: 1})
        this.peerFailed(entry.peer, `block ${next} from ${short(entry.peer)} was refused (certificate or content does not verify)`)
        return bufferedBytes
      }
      this.observe()
    }
  }

  /** The next peer (round robin) that reported at least `height` and is not cooling down. */
  private pickPeer(height: number): string | undefined {
    const now = this.options.now()
    const candidates = this.options.peers().filter((peer) => (this.heights.get(peer) ?? 0) >= height && (this.cooldown.get(peer) ?? 0) <= now)
    if (candidates.length === 0) return undefined
    this.peerCursor = (this.peerCursor + 1) % candidates.length
    return candidates[this.peerCursor]
  }

  private peerFailed(peer: string, reason: string): void {
    this.cooldown.set(peer, this.options.now() + PEER_COOLDOWN_MS)
    this.fail(reason)
  }

  private fail(reason: string): void {
    this.failures++
    this.lastError = reason.slice(0, ERROR_CHARS_MAX)
    this.options.logger.debug('sync request failed', {reason: this.lastError})
  }

  /** Updates progress, rate samples and the stall clock; logs stalls and catch-up progress. */
  private observe(): void {
    const now = this.options.now()
    const height = this.options.chain.head().height
    const target = this.target()
    if (height > this.lastHeight) {
      this.lastHeight = height
      this.lastProgressMs = now
    }
    this.samples.push({at: now, height})
    while (this.samples.length > RATE_SAMPLES_MAX || (this.samples.length > 2 && now - this.samples[0]!.at > RATE_WINDOW_MS)) this.samples.shift()
    const gap = Math.max(0, target - height)
    if (gap === 0) this.behindSinceMs = undefined
    else this.behindSinceMs ??= now
    const state = this.state()
    if (state.state === 'stalled') {
      if (now - this.lastStallWarningMs >= STALL_WARNING_EVERY_MS) {
        this.lastStallWarningMs = now
        if (!this.stalledLogged) this.failures++
        this.stalledLogged = true
        this.options.logger.warn('sync stalled: cannot follow the chain', {
          height, target, gap, reason: this.lastError ?? (this.options.peers().length === 0 ? 'no connected peer' : 'no peer serves the missing blocks'),
        })
      }
    } else {
      if (this.stalledLogged) this.options.logger.info('sync resumed', {height, target})
      this.stalledLogged = false
      if (state.state === 'catching-up' && now - this.lastProgressInfoMs >= PROGRESS_INFO_EVERY_MS) {
        this.lastProgressInfoMs = now
        this.options.logger.info('catching up', {height, target, blocksPerSec: state.blocksPerSec, etaSec: state.etaSec})
      }
    }
  }

  state(): SyncState {
    const now = this.options.now()
    const height = this.options.chain.head().height
    const target = Math.max(this.target(), height)
    const gap = target - height
    const first = this.samples.find((sample) => now - sample.at <= RATE_WINDOW_MS) ?? this.samples[0]
    const seconds = first === undefined ? 0 : (now - first.at) / 1000
    const blocksPerSec = first !== undefined && seconds > 0 ? round((height - first.height) / seconds) : 0
    const stuckSince = Math.max(this.behindSinceMs ?? now, this.lastProgressMs)
    const state: SyncStateName = gap > 0 && now - stuckSince >= STALL_MS ? 'stalled' : gap > FOLLOWING_GAP_MAX ? 'catching-up' : 'following'
    return {
      state,
      height,
      target,
      gap,
      blocksPerSec,
      etaSec: state === 'catching-up' && blocksPerSec > 0 ? Math.ceil(gap / blocksPerSec) : null,
      lastError: this.lastError,
      failures: this.failures,
      inFlight: this.inFlight,
    }
  }

  close(): void {
    this.closed = true
  }
}

function short(peer: string): string {
  return peer.slice(0, 16)
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}
