/**
 * Commit certificates: the signed bytes, the quorum arithmetic and the offline check that
 * `cert verify`, block sync and the engines all share. The signed bytes carry no chain id: a
 * certificate is bound to its chain through the block hash, which covers the chain id.
 */
import {toHex} from '../bytes.js'
import {WichainError} from '../errors.js'
import {commitSignBytes} from '../types/certificate.js'
import type {CommitCertificate, NodeId} from './engine.js'

export type VerifySignature = (signer: NodeId, message: Uint8Array, signature: Uint8Array) => boolean

export const BLOCK_HASH_BYTES_MAX = 64
export const VALIDATORS_MAX = 256

const KINDS: readonly CommitCertificate['kind'][] = ['solo', 'pbft', 'raft']

/**
 * The bytes every validator signs to commit a block: one definition for the whole project
 * (types/certificate.ts), re-exported here under the names the engines use.
 */
export {commitSignBytes}

export function pbftCommitSignBytes(height: number, round: number, blockHash: Uint8Array): Uint8Array {
  return commitSignBytes('pbft', height, round, blockHash)
}

export function raftCommitSignBytes(height: number, term: number, blockHash: Uint8Array): Uint8Array {
  return commitSignBytes('raft', height, term, blockHash)
}

export function soloCommitSignBytes(height: number, blockHash: Uint8Array): Uint8Array {
  return commitSignBytes('solo', height, 0, blockHash)
}

/** Byzantine faults tolerated by `validatorCount` validators: f = floor((n - 1) / 3). */
export function faultsTolerated(validatorCount: number): number {
  return Math.floor((validatorCount - 1) / 3)
}

/**
 * n - f: any two quorums share at least n - 2f >= f + 1 validators, so at least one honest one,
 * and the n - f honest validators alone form a quorum. Equals 2f+1 exactly when n = 3f+1 (for
 * n = 5, 2f+1 = 3 would let two quorums meet only in the one Byzantine validator).
 */
export function quorumSize(validatorCount: number): number {
  return validatorCount - faultsTolerated(validatorCount)
}

/** Why `cert` does not prove a commit by `validators`, or undefined when it does. */
export function commitCertificateProblem(
  cert: CommitCertificate,
  validators: readonly NodeId[],
  verify: VerifySignature,
): string | undefined {
  if (!Number.isSafeInteger(cert.height) || cert.height < 1) return 'height must be a positive integer'
  if (!Number.isSafeInteger(cert.round) || cert.round < 0) return 'round must be an unsigned integer'
  if (!(cert.blockHash instanceof Uint8Array) || cert.blockHash.length === 0) return 'block hash missing'
  if (cert.blockHash.length > BLOCK_HASH_BYTES_MAX) return 'block hash too long'
  if (!KINDS.includes(cert.kind)) return `unknown certificate kind ${String(cert.kind)}`
  if (validators.length === 0) return 'empty validator set'
  const needed = cert.kind === 'pbft' ? quorumSize(validators.length) : 1
  if (cert.kind !== 'pbft' && cert.signatures.length !== 1) return `${cert.kind} certificate needs exactly one signature`
  if (cert.signatures.length > validators.length) return 'more signatures than validators'
  const message = commitSignBytes(cert.kind, cert.height, cert.round, cert.blockHash)
  const seen = new Set<NodeId>()
  for (const {signer, signature} of cert.signatures) {
    if (!validators.includes(signer)) return `signer ${shortId(signer)} is not a validator`
    if (seen.has(signer)) return `duplicate signature by ${shortId(signer)}`
    seen.add(signer)
    if (!verify(signer, message, signature)) return `bad signature by ${shortId(signer)}`
  }
  if (seen.size < needed) return `only ${seen.size} signatures, ${needed} needed`
  return undefined
}

/** Throws VERIFICATION_FAILED (with the reason) unless `cert` proves a commit by `validators`. */
export function verifyCommitCertificate(cert: CommitCertificate, validators: readonly NodeId[], verify: VerifySignature): void {
  const problem = commitCertificateProblem(cert, validators, verify)
  if (problem !== undefined) {
    throw new WichainError('VERIFICATION_FAILED', `commit certificate for height ${cert.height}: ${problem}`, {
      height: cert.height,
      blockHash: cert.blockHash instanceof Uint8Array ? toHex(cert.blockHash) : undefined,
      reason: problem,
    })
  }
}

function shortId(id: NodeId): string {
  return id.length > 16 ? `${id.slice(0, 16)}…` : id
}
