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

const POLL_MS = 1_000
/** Requests in one sync pass; the next poll continues (a bound on one pass, not on the chain). */
const REQUESTS_PER_PASS_MAX = 64

export class HeaderFollower {
  private syncing = false
  private readonly timer: NodeJS.Timeout
  private readonly unsubscribe: () => void

  constructor(
    private readonly network: ChainNetwork,
    private readonly chain: HeaderChain,
    private readonly logger: Logger,
  ) {
    this.unsubscribe = network.network.onPeerConnected(() => void this.sync())
    this.timer = setInterval(() => void this.sync(), POLL_MS)
  }

  /** One sync pass (no-op while another runs). */
  async sync(): Promise<void> {
    if (this.syncing) return
    this.syncing = true
    try {
      const best = await this.bestPeer()
      if (best === undefined) return
      for (let request = 0; request < REQUESTS_PER_PASS_MAX && this.chain.head().height < best.height; request++) {
        const from = this.chain.head().height + 1
        const answer = decodeHeadersAnswer(await this.network.request(best.peer, {type: 'headers', from, count: SYNC_HEADERS_PER_ANSWER_MAX}))
        if (answer.headers.length === 0) return
        const result = await this.chain.apply(answer)
        if (result.applied > 0) this.logger.info('synced headers', {from, to: this.chain.head().height, peer: best.peer.slice(0, 16)})
        if (result.problem !== undefined) {
          this.logger.warn('refused headers from a peer', {peer: best.peer.slice(0, 16), problem: result.problem})
          return
        }
      }
    } catch (error) {
      this.logger.debug('header sync attempt failed', {error: (error as Error).message})
    } finally {
      this.syncing = false
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
