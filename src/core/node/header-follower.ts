/**
 * Keeps a header-only chain up to date: on every new connection and on a short poll it asks the
 * connected peers for their status, then pulls headers (with certificates and membership links)
 * from the most advanced one until it reaches that peer's head. It serves nothing: peers that ask
 * it are answered "busy" at once, so full nodes never take it for a block source.
 */
import type {Logger} from '../log.js'
import type {HeaderChain} from './header-chain.js'
import {decodeHeadersAnswer} from './header-sync.js'
import type {ChainNetwork} from './network.js'
import {SYNC_HEADERS_PER_ANSWER_MAX} from '../limits.js'
import {decodeStatusAnswer} from './sync-protocol.js'
import {STALL_MS, type SyncState} from './block-sync.js'

const POLL_MS = 1_000
/** Requests in one sync pass; the next poll continues (a bound on one pass, not on the chain). */
const REQUESTS_PER_PASS_MAX = 64
/** A stalled header sync is logged (warn) at most this often. */
const STALL_WARNING_EVERY_MS = 30_000

export class HeaderFollower {
  private syncing = false
  /** Highest height a peer reported; when the head last moved; what went wrong last. */
  private target = 0
  private progressAtMs: number
  private lastError: string | undefined
  private failures = 0
  private lastStallWarningMs = 0
  /** Headers applied in the last pass and how long it took, for the rate. */
  private rate = 0
  private readonly timer: NodeJS.Timeout
  private readonly unsubscribe: () => void

  constructor(
    private readonly network: ChainNetwork,
    private readonly chain: HeaderChain,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.progressAtMs = now()
    this.unsubscribe = network.network.onPeerConnected(() => void this.sync())
    this.timer = setInterval(() => void this.sync(), POLL_MS)
  }

  /** One sync pass (no-op while another runs). */
  async sync(): Promise<void> {
    if (this.syncing) return
    this.syncing = true
    const started = this.now()
    const startHeight = this.chain.head().height
    try {
      const best = await this.bestPeer()
      if (best === undefined) return
      this.target = Math.max(this.target, best.height)
      for (let request = 0; request < REQUESTS_PER_PASS_MAX && this.chain.head().height < best.height; request++) {
        const from = this.chain.head().height + 1
        const answer = decodeHeadersAnswer(await this.network.request(best.peer, {type: 'headers', from, count: SYNC_HEADERS_PER_ANSWER_MAX}))
        if (answer.headers.length === 0) return
        const result = await this.chain.apply(answer)
        if (result.applied > 0) this.logger.info('synced headers', {from, to: this.chain.head().height, peer: best.peer.slice(0, 16)})
        if (result.problem !== undefined) {
          this.fail(`headers from ${best.peer.slice(0, 16)} refused: ${result.problem}`)
          this.logger.warn('refused headers from a peer', {peer: best.peer.slice(0, 16), problem: result.problem})
          return
        }
      }
    } catch (error) {
      this.fail((error as Error).message)
      this.logger.debug('header sync attempt failed', {error: (error as Error).message})
    } finally {
      const applied = this.chain.head().height - startHeight
      if (applied > 0) {
        this.progressAtMs = this.now()
        this.rate = applied / Math.max(0.001, (this.now() - started) / 1000)
      }
      this.warnIfStalled()
      this.syncing = false
    }
  }

  private fail(reason: string): void {
    this.failures++
    this.lastError = reason
  }

  /** Silence when a node cannot follow is a defect: a stall is a warn line (rate-limited). */
  private warnIfStalled(): void {
    const state = this.syncState()
    if (state.state !== 'stalled' || this.now() - this.lastStallWarningMs < STALL_WARNING_EVERY_MS) return
    this.lastStallWarningMs = this.now()
    this.logger.warn('header sync stalled', {height: state.height, target: state.target, gap: state.gap, reason: state.lastError ?? 'no progress'})
  }

  /** The same shape as a full chain's block sync (node status, metrics, node wait). */
  syncState(): SyncState {
    const height = this.chain.head().height
    const target = Math.max(this.target, height)
    const gap = target - height
    const stalled = gap > 0 && this.now() - this.progressAtMs >= STALL_MS
    const state = stalled ? 'stalled' : gap > 0 ? 'catching-up' : 'following'
    const blocksPerSec = state === 'catching-up' ? Math.round(this.rate * 10) / 10 : 0
    return {
      state, height, target, gap, blocksPerSec,
      etaSec: state === 'catching-up' && this.rate > 0 ? Math.ceil(gap / this.rate) : null,
      lastError: this.lastError, failures: this.failures, inFlight: this.syncing ? 1 : 0,
    }
  }

  private async bestPeer(): Promise<{peer: string; height: number} | undefined> {
    let best: {peer: string; height: number} | undefined
    const ours = this.chain.head().height
    await Promise.all(
      this.network.network.connectedPeers().map(async (peer) => {
        try {
          const status = decodeStatusAnswer(await this.network.request(peer, {type: 'status'}))
          if (status.height > ours && (best === undefined || status.height > best.height)) best = {peer, height: status.height}
        } catch {
          // not a source this round (unreachable, or another header-only node)
        }
      }),
    )
    return best
  }

  close(): void {
    clearInterval(this.timer)
    this.unsubscribe()
  }
}
