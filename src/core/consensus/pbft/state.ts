/**
 * The mutable state of a PBFT replica, shared by the step functions in agreement.ts,
 * view-change.ts and catch-up.ts (etcd raft keeps one struct the same way). Only the fields marked
 * durable go into `ready.persist`; they are what stops a restarted replica from signing a second,
 * different vote for a view it already voted in.
 */
import {assert} from '../../assert.js'
import type {Logger} from '../../log.js'
import {nullLogger} from '../../log.js'
import {quorumSize, faultsTolerated} from '../certificate.js'
import type {CommittedBlock, ConsensusApplication, ConsensusCrypto, NodeId} from '../engine.js'
import {ReadyQueue} from '../ready-queue.js'
import type {ValidatorSchedule} from '../validator-schedule.js'
import {encodeMessage, type CommitBody, type NewViewBody, type PbftBody, type PrePrepareBody, type PrepareBody, type PreparedProof, type Signed, type ViewChangeBody} from './messages.js'
import type {PbftLimits, PbftTiming} from './options.js'
import {signMessage} from './signing.js'
import {HeightVotes} from './votes.js'

/** The messages this replica signed at the current height (durable). */
export interface OwnMessages {
  prePrepare?: Signed<PrePrepareBody>
  newView?: Signed<NewViewBody>
  prepare?: Signed<PrepareBody>
  commit?: Signed<CommitBody>
  viewChange?: Signed<ViewChangeBody>
}

export interface PreparedBlock {
  readonly proof: PreparedProof
  readonly payload: Uint8Array
}

export class PbftState {
  // Durable.
  height: number
  view = 0
  /** False between sending a view-change for `view` and accepting its new-view. */
  viewActive = true
  own: OwnMessages = {}
  /** The highest-view prepared block of this height; carried into view changes. */
  prepared: PreparedBlock | undefined
  // Volatile.
  votes: HeightVotes
  /** Set from the commit of `height` until the driver has applied it (`advance`). */
  waitingForApply = false
  awaitingProposal: {height: number; view: number} | undefined
  viewElapsedTicks = 0
  rebroadcastElapsedTicks = 0
  ticks = 0
  readonly queue: ReadyQueue

  constructor(
    readonly crypto: ConsensusCrypto,
    readonly application: ConsensusApplication,
    readonly schedule: ValidatorSchedule,
    readonly timing: PbftTiming,
    readonly limits: PbftLimits,
    height: number,
    encodeState: () => Uint8Array,
    readonly logger: Logger = nullLogger,
  ) {
    this.height = height
    this.votes = new HeightVotes(height)
    this.queue = new ReadyQueue(encodeState)
  }

  get self(): NodeId {
    return this.crypto.self
  }

  validators(height = this.height): readonly NodeId[] {
    return this.schedule.at(height)
  }

  quorum(height = this.height): number {
    return quorumSize(this.validators(height).length)
  }

  faults(height = this.height): number {
    return faultsTolerated(this.validators(height).length)
  }

  primary(view = this.view, height = this.height): NodeId {
    const validators = this.validators(height)
    return validators[(height + view) % validators.length]!
  }

  isValidator(height = this.height): boolean {
    return this.validators(height).includes(this.self)
  }

  /** The view timeout doubles per view so that replicas with drifting views end up overlapping. */
  viewTimeoutTicks(view = this.view): number {
    return this.timing.viewTimeoutTicks * 2 ** Math.min(view, this.timing.viewTimeoutBackoffMax)
  }

  sign<B extends PbftBody>(body: B, payload?: Uint8Array): Signed<B> {
    return signMessage(this.crypto, body, payload)
  }

  broadcast(signed: Signed): void {
    this.queue.send('broadcast', encodeMessage(signed))
  }

  sendTo(peer: NodeId, signed: Signed): void {
    this.queue.send(peer, encodeMessage(signed))
  }

  markDirty(): void {
    this.queue.markDirty()
  }

  decide(block: CommittedBlock): void {
    assert(!this.waitingForApply && block.height === this.height, 'one decision per height')
    this.queue.commit(block)
    this.waitingForApply = true
    this.awaitingProposal = undefined
    this.queue.clearProposal()
  }

  /** Starts `height` at view 0 with an empty log. */
  resetForHeight(height: number): void {
    this.height = height
    this.view = 0
    this.viewActive = true
    this.own = {}
    this.prepared = undefined
    this.votes = new HeightVotes(height)
    this.waitingForApply = false
    this.awaitingProposal = undefined
    this.viewElapsedTicks = 0
    this.rebroadcastElapsedTicks = 0
    this.markDirty()
  }

  requestProposal(view: number): void {
    this.awaitingProposal = {height: this.height, view}
    this.queue.requestProposal(this.height)
  }
}
