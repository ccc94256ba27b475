/**
 * Catching up. A replica that decided a height keeps its recent committed blocks and sends one to
 * any peer whose messages show it is still at that height (rate-limited per peer). A replica
 * that sees a quorum-certified block, or f+1 validators, far ahead asks the driver for block sync
 * (`ready.syncRequest`) and resumes from the blocks fed to `stepCommitted`. Messages for the next
 * few heights wait in a bounded buffer; later ones are dropped.
 */
import {bytesEqual} from '../../bytes.js'
import {commitCertificateProblem} from '../certificate.js'
import type {CommittedBlock, NodeId} from '../engine.js'
import type {CommittedBody, Signed} from './messages.js'
import type {PbftState} from './state.js'

/** Committed blocks received for heights we have not reached yet. */
const STASHED_BLOCKS_MAX = 4
/** Peers we remember reply times and claimed heights for. */
const PEERS_TRACKED_MAX = 256

interface Buffered {
  readonly from: NodeId
  readonly signed: Signed
}

export class CatchUp {
  private recent = new Map<number, CommittedBlock>()
  private replies = new Map<number, Signed<CommittedBody>>()
  private readonly stashed = new Map<number, CommittedBlock>()
  private readonly lastReplyTick = new Map<NodeId, number>()
  private readonly claimedHeights = new Map<NodeId, number>()
  private future: Buffered[] = []
  private lastSyncTick = -Infinity

  constructor(private readonly state: PbftState) {}

  rememberCommitted(block: CommittedBlock): void {
    this.recent.set(block.height, block)
    // A hard cap besides checkpoints: without a quorum of checkpoints memory must still be bounded.
    const keepMax = this.state.limits.recentBlocksMax
    if (this.recent.size > keepMax) this.forgetBelow(block.height - keepMax)
  }

  /** Drop kept blocks at or below `height` (after a stable checkpoint). */
  forgetBelow(height: number): void {
    for (const kept of this.recent.keys()) {
      if (kept <= height) {
        this.recent.delete(kept)
        this.replies.delete(kept)
      }
    }
  }

  /** `from` is still deciding `height`, which we have committed: send it the block. */
  answerLaggard(from: NodeId, height: number): void {
    const state = this.state
    const block = this.recent.get(height)
    if (block === undefined || from === state.self) return
    const last = this.lastReplyTick.get(from)
    if (last !== undefined && state.ticks - last < state.timing.replyIntervalTicks) return
    if (!this.lastReplyTick.has(from) && this.lastReplyTick.size >= PEERS_TRACKED_MAX) return
    this.lastReplyTick.set(from, state.ticks)
    let reply = this.replies.get(height)
    if (reply === undefined) {
      const certificate = block.certificate
      reply = state.sign<CommittedBody>(
        {type: 'committed', height, view: certificate.round, signer: state.self, certificate},
        state.application.expand?.(block.payload) ?? block.payload,
      )
      this.replies.set(height, reply)
    }
    state.sendTo(from, reply)
  }

  /** Returns true if the block is well-formed and certified by the validators of its height. */
  isCertified(block: CommittedBlock): boolean {
    const state = this.state
    const certificate = block.certificate
    if (certificate.kind !== 'pbft' || certificate.height !== block.height) return false
    if (!bytesEqual(state.application.digest(block.payload), certificate.blockHash)) return false
    const verify = state.crypto.verify.bind(state.crypto)
    return commitCertificateProblem(certificate, state.validators(block.height), verify) === undefined
  }

  /** A committed block from a peer or from block sync. */
  onCommittedBlock(block: CommittedBlock, from: NodeId | undefined): boolean {
    const state = this.state
    if (block.height < state.height || (block.height === state.height && state.waitingForApply)) return false
    if (block.height > state.height + state.limits.heightWindow * 4) return false
    if (!this.isCertified(block)) return false
    if (block.height === state.height) {
      state.decide(block)
      return true
    }
    if (this.stashed.size < STASHED_BLOCKS_MAX || this.stashed.has(block.height)) this.stashed.set(block.height, block)
    this.requestSync(block.height - 1, from)
    return false
  }

  /** On entering a height: a stashed block for it decides it at once (re-checked: sets change). */
  takeStashed(height: number): CommittedBlock | undefined {
    for (const stashedHeight of this.stashed.keys()) if (stashedHeight < height) this.stashed.delete(stashedHeight)
    const block = this.stashed.get(height)
    this.stashed.delete(height)
    return block !== undefined && this.isCertified(block) ? block : undefined
  }

  /** A validator signed a message for `height`: evidence of how far the network got. */
  noteClaim(signer: NodeId, height: number): void {
    const state = this.state
    if (!state.validators().includes(signer)) return
    if (!this.claimedHeights.has(signer) && this.claimedHeights.size >= PEERS_TRACKED_MAX) return
    this.claimedHeights.set(signer, Math.max(height, this.claimedHeights.get(signer) ?? 0))
    // A peer working on height h has committed h - 1; f + 1 of them include an honest one.
    const ahead = [...this.claimedHeights.values()].filter((claimed) => claimed >= state.height + 2).sort((a, b) => b - a)
    const needed = state.faults() + 1
    if (ahead.length >= needed) this.requestSync(ahead[needed - 1]! - 1, undefined)
  }

  requestSync(toHeight: number, peer: NodeId | undefined): void {
    const state = this.state
    if (toHeight < state.height || state.ticks - this.lastSyncTick < state.timing.syncRetryTicks) return
    this.lastSyncTick = state.ticks
    state.queue.requestSync({fromHeight: state.height, toHeight, peer})
  }

  buffer(from: NodeId, signed: Signed): void {
    const limits = this.state.limits
    const signer = signed.body.signer
    let fromSigner = 0
    for (const item of this.future) if (item.signed.body.signer === signer) fromSigner++
    if (fromSigner >= limits.futureMessagesPerSignerMax || this.future.length >= limits.futureMessagesMax) return
    this.future.push({from, signed})
  }

  takeBuffered(height: number): Buffered[] {
    const taken = this.future.filter((item) => item.signed.body.height === height)
    this.future = this.future.filter((item) => item.signed.body.height > height)
    return taken
  }
}
