/**
 * Normal-case agreement on one height: the primary's pre-prepare, then prepares, then commits.
 * A replica prepares at most one digest per view and commits only what it saw prepared by a
 * quorum in its current view; a block is decided by a quorum of commits for one (view, digest),
 * whichever view that is, and the commits themselves are the certificate.
 */
import {bytesEqual} from '../../bytes.js'
import type {CommitBody, PrePrepareBody, PrepareBody, Signed} from './messages.js'
import type {PbftState} from './state.js'

/** A standalone pre-prepare is only valid in view 0; later views start with a new-view. */
export function onPrePrepare(state: PbftState, signed: Signed<PrePrepareBody>): void {
  const {body, payload} = signed
  if (body.view !== 0 || state.view !== 0 || !state.viewActive) return
  if (body.signer !== state.primary(0) || payload === undefined) return
  const known = state.votes.proposalAt(0)
  // After a restart we may know the digest we prepared but not the block: take it from the resend.
  if (known !== undefined && (!bytesEqual(known, body.digest) || state.votes.payload(known) !== undefined)) return
  if (!bytesEqual(state.application.digest(payload), body.digest)) return
  if (!state.application.validate(state.height, payload)) return
  acceptProposal(state, 0, body.digest, payload)
}

/** Record the primary's proposal for `view` and, if that is our view, prepare it. */
export function acceptProposal(state: PbftState, view: number, digest: Uint8Array, payload: Uint8Array): void {
  state.votes.acceptProposal(view, digest, payload)
  const proposal = state.votes.proposalAt(view)!
  const first = bytesEqual(proposal, digest)
  if (first && view === state.view && state.viewActive && state.isValidator() && state.own.prepare?.body.view !== view) {
    const prepare = state.sign<PrepareBody>({type: 'prepare', height: state.height, view, signer: state.self, digest})
    state.own.prepare = prepare
    state.markDirty()
    state.broadcast(prepare)
    state.votes.addVote('prepare', view, state.self, {digest, signature: prepare.signature})
  }
  checkQuorums(state)
}

export function onVote(state: PbftState, signed: Signed<PrepareBody | CommitBody>): void {
  const {body} = signed
  state.votes.addVote(body.type, body.view, body.signer, {digest: body.digest, signature: signed.signature})
  if (body.type === 'prepare') checkPrepared(state, body.view, body.digest)
  else checkCommitted(state, body.view, body.digest)
}

/** Re-examine every candidate quorum: needed when a payload or our own view arrives late. */
export function checkQuorums(state: PbftState): void {
  for (const {view, digest} of state.votes.candidates('prepare')) checkPrepared(state, view, digest)
  for (const {view, digest} of state.votes.candidates('commit')) checkCommitted(state, view, digest)
}

function checkPrepared(state: PbftState, view: number, digest: Uint8Array): void {
  if (state.waitingForApply) return
  const prepares = state.votes.quorumFor('prepare', view, digest, state.quorum())
  if (prepares === undefined) return
  const payload = state.votes.payload(digest)
  // Any quorum of prepares is a valid proof, even of a view we have left; keep the highest, but
  // not of a view we have not reached: our view-changes must carry a proof older than their view.
  if (payload !== undefined && view <= state.view && (state.prepared === undefined || state.prepared.proof.view < view)) {
    state.prepared = {proof: {view, digest, prepares}, payload}
    state.markDirty()
  }
  if (!mayCommit(state, view, digest)) return
  const commit = state.sign<CommitBody>({type: 'commit', height: state.height, view, signer: state.self, digest})
  state.own.commit = commit
  state.markDirty()
  state.broadcast(commit)
  state.votes.addVote('commit', view, state.self, {digest, signature: commit.signature})
  checkCommitted(state, view, digest)
}

function mayCommit(state: PbftState, view: number, digest: Uint8Array): boolean {
  const proposal = state.votes.proposalAt(view)
  return (
    view === state.view &&
    state.viewActive &&
    state.isValidator() &&
    proposal !== undefined &&
    bytesEqual(proposal, digest) &&
    state.own.prepare?.body.view === view &&
    state.own.commit?.body.view !== view
  )
}

function checkCommitted(state: PbftState, view: number, digest: Uint8Array): void {
  if (state.waitingForApply) return
  const commits = state.votes.quorumFor('commit', view, digest, state.quorum())
  if (commits === undefined) return
  // Decided, but we cannot apply what we never received; a peer ahead of us will send the block.
  const payload = state.votes.payload(digest)
  if (payload === undefined) return
  state.decide({
    height: state.height,
    payload,
    certificate: {kind: 'pbft', height: state.height, round: view, blockHash: digest, signatures: commits},
  })
}
