/**
 * What each PBFT message signs, and the checks of signatures and prepared proofs. A commit signs
 * exactly the certificate bytes (`pbftCommitSignBytes`), so the commit votes a replica collects
 * are its certificate; every other message signs a domain tag and its canonical body.
 */
import {concatBytes, toHex} from '../../bytes.js'
import {encodeCanonical} from '../../codec/canonical.js'
import {pbftCommitSignBytes} from '../certificate.js'
import type {ConsensusCrypto, NodeId} from '../engine.js'
import {bodyToDocument, type PbftBody, type PreparedProof, type Signed, type VoteSignature} from './messages.js'

const DOMAIN = new TextEncoder().encode('wichain/pbft/v1\0')

export function signBytes(body: PbftBody): Uint8Array {
  if (body.type === 'commit') return pbftCommitSignBytes(body.height, body.view, body.digest)
  return concatBytes(DOMAIN, encodeCanonical(bodyToDocument(body)))
}

export function signMessage<B extends PbftBody>(crypto: ConsensusCrypto, body: B, payload?: Uint8Array): Signed<B> {
  return Object.freeze({body, signature: crypto.sign(signBytes(body)), payload})
}

export function verifyMessage(crypto: ConsensusCrypto, signed: Signed): boolean {
  return crypto.verify(signed.body.signer, signBytes(signed.body), signed.signature)
}

export function prepareSignBytes(height: number, view: number, digest: Uint8Array, signer: NodeId): Uint8Array {
  return signBytes({type: 'prepare', height, view, signer, digest})
}

/**
 * A proof is valid when `quorum` distinct validators signed a prepare for (height, view, digest).
 * Honest validators prepare at most one digest per view, so no two valid proofs of one view differ.
 */
export function isValidPreparedProof(
  crypto: ConsensusCrypto,
  height: number,
  proof: PreparedProof,
  validators: readonly NodeId[],
  quorum: number,
): boolean {
  if (proof.prepares.length < quorum || proof.prepares.length > validators.length) return false
  const seen = new Set<NodeId>()
  for (const vote of proof.prepares) {
    if (!validators.includes(vote.signer) || seen.has(vote.signer)) return false
    seen.add(vote.signer)
  }
  return proof.prepares.every((vote) =>
    crypto.verify(vote.signer, prepareSignBytes(height, proof.view, proof.digest, vote.signer), vote.signature),
  )
}

export function digestKey(digest: Uint8Array): string {
  return toHex(digest)
}

export function votesOf(map: ReadonlyMap<NodeId, {digest: Uint8Array; signature: Uint8Array}>, digest: Uint8Array): VoteSignature[] {
  const key = digestKey(digest)
  const votes: VoteSignature[] = []
  for (const [signer, vote] of map) if (digestKey(vote.digest) === key) votes.push({signer, signature: vote.signature})
  return votes
}
