/**
 * View change with proofs. A replica whose view timed out signs a view-change carrying its
 * highest prepared proof (and that block). The new primary gathers a quorum of view-changes and
 * re-proposes the block of the highest-view proof among them, or a fresh block if none has one;
 * its new-view carries those view-changes so every replica can check that choice. Why this keeps
 * a decided block: its quorum of commits and the quorum of view-changes share an honest replica,
 * whose proof is at least as recent as the decision, and no valid proof of a later view can name
 * another block (an honest quorum member prepared only what each new-view forced).
 */
import {bytesEqual} from '../../bytes.js'
import {acceptProposal, checkQuorums} from './agreement.js'
import type {NewViewBody, PreparedProof, PrePrepareBody, Signed, ViewChangeBody} from './messages.js'
import {isValidPreparedProof, verifyMessage} from './signing.js'
import type {PbftState} from './state.js'

export function onViewTimeout(state: PbftState): void {
  startViewChange(state, state.view + 1)
}

export function startViewChange(state: PbftState, view: number): void {
  if (view <= state.view) return
  state.view = view
  state.viewActive = false
  state.viewElapsedTicks = 0
  state.awaitingProposal = undefined
  state.queue.clearProposal()
  if (state.isValidator()) {
    const prepared = state.prepared
    const viewChange = state.sign<ViewChangeBody>(
      {type: 'view-change', height: state.height, view, signer: state.self, prepared: prepared?.proof},
      prepared?.payload,
    )
    state.own.viewChange = viewChange
    state.broadcast(viewChange)
    state.votes.addViewChange(viewChange)
  }
  state.markDirty()
  tryNewView(state)
}

/** A view-change is valid if signed by a validator and its proof (if any) is of an earlier view. */
export function isValidViewChange(state: PbftState, signed: Signed<ViewChangeBody>): boolean {
  const {body} = signed
  if (body.height !== state.height || !state.validators().includes(body.signer)) return false
  const known = state.votes.viewChangeFrom(body.view, body.signer)
  if (known !== undefined && bytesEqual(known.signature, signed.signature)) return true
  if (!verifyMessage(state.crypto, signed)) return false
  const proof = body.prepared
  return proof === undefined || (proof.view < body.view && isValidPreparedProof(state.crypto, state.height, proof, state.validators(), state.quorum()))
}

export function onViewChange(state: PbftState, signed: Signed<ViewChangeBody>): void {
  const {body} = signed
  if (body.view > state.view + state.limits.viewWindow) {
    // Too far ahead to keep, but f+1 of these mean we are the one behind.
    if (state.validators().includes(body.signer) && verifyMessage(state.crypto, signed)) state.votes.noteFarViewChange(body.signer, body.view)
    return joinLaggingBehindViews(state)
  }
  if (state.votes.hasViewChange(body.view, body.signer) || !isValidViewChange(state, signed)) return
  state.votes.addViewChange(signed)
  rememberProofPayload(state, signed)
  joinLaggingBehindViews(state)
  tryNewView(state)
  checkQuorums(state)
}

function rememberProofPayload(state: PbftState, signed: Signed<ViewChangeBody>): void {
  const proof = signed.body.prepared
  if (proof === undefined || signed.payload === undefined) return
  if (bytesEqual(state.application.digest(signed.payload), proof.digest)) state.votes.rememberPayload(proof.digest, signed.payload)
}

/**
 * f+1 replicas asking for views above ours include an honest one, so our view is stale: move to
 * the lowest view that f+1 of them ask for (PBFT §4.5.2), instead of waiting out our timeout.
 */
export function joinLaggingBehindViews(state: PbftState): void {
  const higher = [...state.votes.highestViewChangePerSigner().values()].filter((view) => view > state.view)
  const needed = state.faults() + 1
  if (higher.length < needed) return
  higher.sort((a, b) => b - a)
  startViewChange(state, higher[needed - 1]!)
}

/** The highest-view proof among `viewChanges`: the block the new view must re-propose. */
export function selectProof(viewChanges: readonly Signed<ViewChangeBody>[]): PreparedProof | undefined {
  let best: PreparedProof | undefined
  for (const {body} of viewChanges) {
    const proof = body.prepared
    if (proof !== undefined && (best === undefined || proof.view > best.view)) best = proof
  }
  return best
}

/** As the new primary: once a quorum asked for our view, propose in it. */
export function tryNewView(state: PbftState): void {
  const view = state.view
  if (state.viewActive || state.primary(view) !== state.self || !state.isValidator()) return
  if (state.own.newView?.body.view === view || state.awaitingProposal?.view === view) return
  const viewChanges = state.votes.viewChangesFor(view)
  if (viewChanges.length < state.quorum()) return
  const proof = selectProof(viewChanges)
  if (proof !== undefined) {
    const payload = state.votes.payload(proof.digest)
    if (payload === undefined) return // wait for a view-change that carries the block
    sendNewView(state, state.sign<PrePrepareBody>(prePrepareBody(state, proof.digest), payload))
  } else if (state.own.prePrepare?.body.view === view) {
    sendNewView(state, state.own.prePrepare)
  } else {
    state.requestProposal(view)
  }
}

export function prePrepareBody(state: PbftState, digest: Uint8Array): PrePrepareBody {
  return {type: 'pre-prepare', height: state.height, view: state.view, signer: state.self, digest}
}

export function sendNewView(state: PbftState, prePrepare: Signed<PrePrepareBody>): void {
  const view = state.view
  const payload = prePrepare.payload!
  const viewChanges = state.votes.viewChangesFor(view).map((signed) => ({...signed, payload: undefined}))
  const newView = state.sign<NewViewBody>(
    {type: 'new-view', height: state.height, view, signer: state.self, viewChanges, prePrepare: {...prePrepare, payload: undefined}},
    payload,
  )
  state.own.prePrepare = prePrepare
  state.own.newView = newView
  state.broadcast(newView)
  enterView(state, view)
  acceptProposal(state, view, prePrepare.body.digest, payload)
}

export function onNewView(state: PbftState, signed: Signed<NewViewBody>): void {
  const {body, payload} = signed
  if (body.view < state.view || payload === undefined) return
  if (body.view === state.view && state.viewActive) {
    // A resend: only useful to a replica that restarted in this view without its proposal or block.
    const proposal = state.votes.proposalAt(body.view)
    const digest = body.prePrepare.body.digest
    const missing = proposal === undefined || (state.votes.payload(proposal) === undefined && bytesEqual(proposal, digest))
    if (missing && isValidNewView(state, signed)) acceptProposal(state, body.view, digest, payload)
    return
  }
  if (!isValidNewView(state, signed)) return
  for (const viewChange of body.viewChanges) state.votes.addViewChange(viewChange)
  if (body.view > state.view) state.own.viewChange = undefined
  enterView(state, body.view)
  acceptProposal(state, body.view, body.prePrepare.body.digest, payload)
}

function isValidNewView(state: PbftState, signed: Signed<NewViewBody>): boolean {
  const {body, payload} = signed
  const primary = state.primary(body.view)
  if (body.height !== state.height || body.signer !== primary || !verifyMessage(state.crypto, signed)) return false
  const signers = new Set(body.viewChanges.map((viewChange) => viewChange.body.signer))
  if (signers.size !== body.viewChanges.length || signers.size < state.quorum()) return false
  for (const viewChange of body.viewChanges) {
    if (viewChange.body.view !== body.view || !isValidViewChange(state, viewChange)) return false
  }
  const prePrepare = body.prePrepare
  if (prePrepare.body.height !== body.height || prePrepare.body.view !== body.view || prePrepare.body.signer !== primary) return false
  if (!verifyMessage(state.crypto, prePrepare)) return false
  if (!bytesEqual(state.application.digest(payload!), prePrepare.body.digest)) return false
  const proof = selectProof(body.viewChanges)
  if (proof !== undefined && !bytesEqual(proof.digest, prePrepare.body.digest)) return false
  return state.application.validate(state.height, payload!)
}

function enterView(state: PbftState, view: number): void {
  state.view = view
  state.viewActive = true
  state.viewElapsedTicks = 0
  state.markDirty()
}
