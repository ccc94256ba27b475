/**
 * The PBFT engine: routes inputs to the step functions, runs the timers and hands outputs to the
 * driver. One height at a time (sequence number = height); view numbers restart at 0 for each
 * height and the primary of (height, view) is validators[(height + view) % n].
 */
import {assert} from '../../assert.js'
import type {CommittedBlock, ConsensusEngine, NodeId, Ready} from '../engine.js'
import {ValidatorSchedule} from '../validator-schedule.js'
import {acceptProposal, onPrePrepare, onVote} from './agreement.js'
import {CatchUp} from './catch-up.js'
import {Checkpoints} from './checkpoint.js'
import {decodeMessage, type Signed, type StatusBody} from './messages.js'
import {PBFT_LIMITS_DEFAULTS, PBFT_TIMING_DEFAULTS, type PbftOptions} from './options.js'
import {encodePbftState, restorePbftState} from './persist.js'
import {verifyMessage} from './signing.js'
import {PbftState} from './state.js'
import {onNewView, onViewChange, onViewTimeout, prePrepareBody, sendNewView, tryNewView} from './view-change.js'
import {VIEWS_TRACKED_MAX} from './votes.js'

export class PbftEngine implements ConsensusEngine {
  readonly kind = 'pbft' as const
  private readonly state: PbftState
  private readonly catchUp: CatchUp
  private readonly checkpoints: Checkpoints
  private status_: Signed<StatusBody> | undefined

  constructor(options: PbftOptions) {
    const height = options.lastCommitted.height + 1
    const schedule = new ValidatorSchedule(height, options.validators)
    const timing = {...PBFT_TIMING_DEFAULTS, ...options.timing}
    const limits = {...PBFT_LIMITS_DEFAULTS, ...options.limits}
    const encode = (): Uint8Array => encodePbftState(this.state)
    this.state = new PbftState(options.crypto, options.application, schedule, timing, limits, height, encode, options.logger)
    this.catchUp = new CatchUp(this.state)
    this.checkpoints = new Checkpoints(this.state, this.catchUp)
    this.state.markDirty()
    if (options.persisted !== undefined) restorePbftState(this.state, options.persisted, options.lastCommitted.height)
    this.reloadOwnMessages()
  }

  tick(): void {
    const state = this.state
    state.ticks++
    if (state.waitingForApply || !state.isValidator()) return
    if (++state.viewElapsedTicks >= state.viewTimeoutTicks()) onViewTimeout(state)
    if (++state.rebroadcastElapsedTicks >= state.timing.rebroadcastTicks) {
      state.rebroadcastElapsedTicks = 0
      this.rebroadcast()
    }
  }

  step(from: NodeId, bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array) || bytes.length > this.state.limits.messageBytesMax) return
    let signed: Signed
    try {
      signed = decodeMessage(bytes)
    } catch {
      return // garbage from a faulty or Byzantine peer
    }
    this.route(from, signed, false)
  }

  propose(height: number, payload: Uint8Array): void {
    const state = this.state
    const awaiting = state.awaitingProposal
    if (awaiting === undefined || awaiting.height !== height || awaiting.view !== state.view || state.waitingForApply) return
    // The driver proposes what it built and executed itself: an invalid one is a bug in it.
    assert(state.application.validate(height, payload), `the driver proposed a block for height ${height} that is not valid`)
    state.awaitingProposal = undefined
    const digest = state.application.digest(payload)
    const prePrepare = state.sign(prePrepareBody(state, digest), payload)
    if (state.view > 0) return sendNewView(state, prePrepare)
    state.own.prePrepare = prePrepare
    state.markDirty()
    state.broadcast(prePrepare)
    acceptProposal(state, 0, digest, payload)
  }

  stepCommitted(block: CommittedBlock): boolean {
    if (block.height !== this.state.height) return false
    return this.catchUp.onCommittedBlock(block, undefined)
  }

  reconfigure(height: number, validators: readonly NodeId[]): void {
    assert(Number.isSafeInteger(height) && height > this.state.height, `cannot change the validators of height ${height}: it is already being decided`)
    this.state.schedule.set(height, validators)
  }

  hasReady(): boolean {
    return this.state.queue.hasReady()
  }

  ready(): Ready {
    return this.state.queue.take()
  }

  advance(ready: Ready): void {
    const state = this.state
    const applied = state.queue.advance(ready)
    for (const block of applied) {
      this.catchUp.rememberCommitted(block)
      this.checkpoints.onApplied(block.height, block.certificate.blockHash)
    }
    if (applied.some((block) => block.height === state.height)) this.enterHeight(state.height + 1)
  }

  status(): {height: number; round: number; leader: NodeId | undefined; role: string; validators: readonly NodeId[]} {
    const state = this.state
    const leader = state.primary()
    const role = !state.isValidator() ? 'observer' : leader === state.self ? 'primary' : 'replica'
    return {height: state.height, round: state.view, leader, role, validators: state.validators()}
  }

  /** The last stable checkpoint height (for status and tests). */
  stableCheckpoint(): number {
    return this.checkpoints.stableHeight
  }

  private enterHeight(height: number): void {
    const state = this.state
    state.resetForHeight(height)
    const stashed = this.catchUp.takeStashed(height)
    if (stashed !== undefined) return state.decide(stashed)
    if (state.isValidator() && state.primary(0) === state.self) state.requestProposal(0)
    for (const {from, signed} of this.catchUp.takeBuffered(height)) this.route(from, signed, true)
  }

  private route(from: NodeId, signed: Signed, verified: boolean): void {
    const state = this.state
    const body = signed.body
    if (body.type === 'committed') {
      if (signed.payload !== undefined) this.catchUp.onCommittedBlock({height: body.height, payload: signed.payload, certificate: body.certificate}, from)
      return
    }
    if (body.type === 'checkpoint') return this.checkpoints.onCheckpoint(signed as Signed<typeof body>)
    if (body.height < state.height) return this.catchUp.answerLaggard(from, body.height)
    if (body.height === state.height && state.waitingForApply) return
    if (!state.validators(body.height).includes(body.signer)) return
    if (body.height > state.height) return this.onFutureMessage(from, signed, verified)
    if (body.view + VIEWS_TRACKED_MAX < state.view) return
    // Beyond the window only view-changes (counted, not kept) and self-proving new-views get in.
    const far = body.view > state.view + state.limits.viewWindow
    if (far && body.type !== 'view-change' && body.type !== 'new-view') return
    this.dispatch(signed, verified)
  }

  private onFutureMessage(from: NodeId, signed: Signed, verified: boolean): void {
    const state = this.state
    if (!verified && !verifyMessage(state.crypto, signed)) return
    this.catchUp.noteClaim(signed.body.signer, signed.body.height)
    if (signed.body.height <= state.height + state.limits.heightWindow) this.catchUp.buffer(from, signed)
  }

  private dispatch(signed: Signed, verified: boolean): void {
    const state = this.state
    const body = signed.body
    switch (body.type) {
      case 'pre-prepare':
        if (verified || verifyMessage(state.crypto, signed)) onPrePrepare(state, signed as Signed<typeof body>)
        return
      case 'prepare':
      case 'commit':
        if (state.votes.hasVote(body.type, body.view, body.signer)) return
        if (verified || verifyMessage(state.crypto, signed)) onVote(state, signed as Signed<typeof body>)
        return
      case 'view-change':
        return onViewChange(state, signed as Signed<typeof body>)
      case 'new-view':
        return onNewView(state, signed as Signed<typeof body>)
      default:
        return // status: its only use, answering laggards, happened in route()
    }
  }

  /** Links drop messages: resend what we signed at this height, or a status if nothing yet. */
  private rebroadcast(): void {
    const state = this.state
    const own = state.own
    const view = state.view
    const list: Signed[] = []
    if (state.viewActive) {
      if (own.newView?.body.view === view) list.push(own.newView)
      else if (view === 0 && own.prePrepare?.body.view === 0) list.push(own.prePrepare)
      if (own.prepare?.body.view === view) list.push(own.prepare)
    } else if (own.viewChange?.body.view === view) {
      list.push(own.viewChange)
    }
    if (own.commit !== undefined) list.push(own.commit)
    if (list.length === 0) list.push(this.statusMessage())
    for (const signed of list) state.broadcast(signed)
  }

  private statusMessage(): Signed<StatusBody> {
    const state = this.state
    const cached = this.status_
    if (cached !== undefined && cached.body.height === state.height && cached.body.view === state.view) return cached
    this.status_ = state.sign<StatusBody>({type: 'status', height: state.height, view: state.view, signer: state.self})
    return this.status_
  }

  /** After a restart: our own signed messages count again, and a primary without a block asks for one. */
  private reloadOwnMessages(): void {
    const state = this.state
    const {own, votes} = state
    for (const vote of [own.prepare, own.commit]) {
      if (vote !== undefined) votes.addVote(vote.body.type, vote.body.view, state.self, {digest: vote.body.digest, signature: vote.signature})
    }
    if (own.prePrepare !== undefined) votes.acceptProposal(own.prePrepare.body.view, own.prePrepare.body.digest, own.prePrepare.payload)
    if (own.prepare !== undefined) votes.acceptProposal(own.prepare.body.view, own.prepare.body.digest, undefined)
    if (own.viewChange !== undefined) votes.addViewChange(own.viewChange)
    const prepared = state.prepared
    if (prepared !== undefined) {
      votes.rememberPayload(prepared.proof.digest, prepared.payload)
      for (const vote of prepared.proof.prepares) votes.addVote('prepare', prepared.proof.view, vote.signer, {digest: prepared.proof.digest, signature: vote.signature})
    }
    if (!state.isValidator()) return
    if (!state.viewActive) return tryNewView(state)
    if (state.view === 0 && state.primary(0) === state.self && own.prePrepare === undefined) state.requestProposal(0)
  }
}
