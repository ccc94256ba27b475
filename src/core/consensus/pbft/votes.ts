/**
 * The message log of the height being decided: the first prepare, commit and view-change of each
 * validator per view (a second, conflicting one is evidence of a Byzantine signer and is not
 * counted), the proposal accepted per view and the payloads seen, by digest. The whole log is
 * dropped when the height commits: the commit certificate is the proof that remains.
 */
import type {NodeId} from '../engine.js'
import type {Signed, ViewChangeBody, VoteSignature} from './messages.js'
import {digestKey} from './signing.js'

/** Views tracked per height; the engine also refuses views far from its own. */
export const VIEWS_TRACKED_MAX = 32
const PAYLOADS_MAX = 2 * VIEWS_TRACKED_MAX

interface Vote {
  readonly digest: Uint8Array
  readonly signature: Uint8Array
}

export type VoteKind = 'prepare' | 'commit'

export class HeightVotes {
  private readonly votes: Record<VoteKind, Map<number, Map<NodeId, Vote>>> = {prepare: new Map(), commit: new Map()}
  private readonly viewChanges = new Map<number, Map<NodeId, Signed<ViewChangeBody>>>()
  /** Views asked for beyond our window: only the highest per signer, to notice we fell behind. */
  private readonly farViews = new Map<NodeId, number>()
  private readonly proposals = new Map<number, Uint8Array>()
  private readonly payloads = new Map<string, Uint8Array>()

  constructor(readonly height: number) {}

  hasVote(kind: VoteKind, view: number, signer: NodeId): boolean {
    return this.votes[kind].get(view)?.has(signer) ?? false
  }

  addVote(kind: VoteKind, view: number, signer: NodeId, vote: Vote): void {
    const byView = this.votes[kind]
    let bySigner = byView.get(view)
    if (bySigner === undefined) {
      bySigner = new Map()
      byView.set(view, bySigner)
      prune(byView)
    }
    if (!bySigner.has(signer)) bySigner.set(signer, vote)
  }

  /** The votes for (view, digest) if at least `quorum` distinct validators sent one. */
  quorumFor(kind: VoteKind, view: number, digest: Uint8Array, quorum: number): VoteSignature[] | undefined {
    const bySigner = this.votes[kind].get(view)
    if (bySigner === undefined || bySigner.size < quorum) return undefined
    const key = digestKey(digest)
    const matching: VoteSignature[] = []
    for (const [signer, vote] of bySigner) if (digestKey(vote.digest) === key) matching.push({signer, signature: vote.signature})
    return matching.length >= quorum ? matching : undefined
  }

  /** Every (view, digest) that some vote of `kind` names: the candidates for a quorum. */
  candidates(kind: VoteKind): {view: number; digest: Uint8Array}[] {
    const found: {view: number; digest: Uint8Array}[] = []
    for (const [view, bySigner] of this.votes[kind]) {
      const seen = new Set<string>()
      for (const vote of bySigner.values()) {
        const key = digestKey(vote.digest)
        if (!seen.has(key)) found.push({view, digest: vote.digest})
        seen.add(key)
      }
    }
    return found
  }

  hasViewChange(view: number, signer: NodeId): boolean {
    return this.viewChanges.get(view)?.has(signer) ?? false
  }

  addViewChange(signed: Signed<ViewChangeBody>): void {
    let bySigner = this.viewChanges.get(signed.body.view)
    if (bySigner === undefined) {
      bySigner = new Map()
      this.viewChanges.set(signed.body.view, bySigner)
      prune(this.viewChanges)
    }
    if (!bySigner.has(signed.body.signer)) bySigner.set(signed.body.signer, signed)
  }

  viewChangesFor(view: number): Signed<ViewChangeBody>[] {
    return [...(this.viewChanges.get(view)?.values() ?? [])]
  }

  viewChangeFrom(view: number, signer: NodeId): Signed<ViewChangeBody> | undefined {
    return this.viewChanges.get(view)?.get(signer)
  }

  noteFarViewChange(signer: NodeId, view: number): void {
    this.farViews.set(signer, Math.max(view, this.farViews.get(signer) ?? 0))
  }

  /** The highest view each validator asked to move to. */
  highestViewChangePerSigner(): Map<NodeId, number> {
    const highest = new Map<NodeId, number>(this.farViews)
    for (const [view, bySigner] of this.viewChanges) {
      for (const signer of bySigner.keys()) highest.set(signer, Math.max(view, highest.get(signer) ?? 0))
    }
    return highest
  }

  proposalAt(view: number): Uint8Array | undefined {
    return this.proposals.get(view)
  }

  /** The first proposal accepted in a view stays: a replica prepares at most one digest per view. */
  acceptProposal(view: number, digest: Uint8Array, payload: Uint8Array | undefined): void {
    if (!this.proposals.has(view)) {
      this.proposals.set(view, digest)
      prune(this.proposals)
    }
    if (payload !== undefined) this.rememberPayload(digest, payload)
  }

  rememberPayload(digest: Uint8Array, payload: Uint8Array): void {
    const key = digestKey(digest)
    if (this.payloads.has(key)) return
    this.payloads.set(key, payload)
    if (this.payloads.size > PAYLOADS_MAX) this.payloads.delete(this.payloads.keys().next().value!)
  }

  payload(digest: Uint8Array): Uint8Array | undefined {
    return this.payloads.get(digestKey(digest))
  }
}

/** Keep the highest views: low views of a height are the least likely to still matter. */
function prune<T>(byView: Map<number, T>): void {
  while (byView.size > VIEWS_TRACKED_MAX) byView.delete(Math.min(...byView.keys()))
}
