/**
 * Commit certificates: proof that the validators committed a block. Solo: the one validator's
 * SM2 signature. PBFT: 2f+1 distinct validator signatures. Raft: the leader's signature with its
 * term (crash-fault model: any validator's signature). Every signature covers `commitSignBytes`.
 */
import {bytesEqual, fromHex, toHex} from '../bytes.js'
import {decodeCanonical, encodeCanonical} from '../codec/canonical.js'
import {readArray, readBytes, readEnum, readRecord, readUint} from '../codec/fields.js'
import {verify} from '../crypto/sm2.js'

export type ConsensusKind = 'solo' | 'pbft' | 'raft'
export const CONSENSUS_KINDS: readonly ConsensusKind[] = ['solo', 'pbft', 'raft']
export const CERTIFICATE_SIGNATURES_MAX = 256

export interface CommitSignature {
  /** Hex of the 65-byte SM2 public key of the signing validator. */
  readonly signer: string
  readonly signature: Uint8Array
}

export interface CommitCertificate {
  readonly kind: ConsensusKind
  readonly height: number
  readonly blockHash: Uint8Array
  readonly round: number
  readonly signatures: readonly CommitSignature[]
}

/** The bytes every validator signs to commit a block. */
export function commitSignBytes(kind: ConsensusKind, height: number, round: number, blockHash: Uint8Array): Uint8Array {
  return encodeCanonical({domain: 'wichain/commit/v1', kind, height, round, blockHash})
}

export function certificateToDocument(certificate: CommitCertificate): Record<string, unknown> {
  return {
    kind: certificate.kind,
    height: certificate.height,
    blockHash: certificate.blockHash,
    round: certificate.round,
    signatures: certificate.signatures.map((entry) => ({signer: fromHex(entry.signer), signature: entry.signature})),
  }
}

export function encodeCertificate(certificate: CommitCertificate): Uint8Array {
  return encodeCanonical(certificateToDocument(certificate))
}

export function certificateFromDocument(document: unknown): CommitCertificate {
  const fields = readRecord(document, 'certificate', ['kind', 'height', 'blockHash', 'round', 'signatures'])
  return Object.freeze({
    kind: readEnum(fields.kind, 'certificate.kind', CONSENSUS_KINDS),
    height: readUint(fields.height, 'certificate.height'),
    blockHash: readBytes(fields.blockHash, 'certificate.blockHash', {exact: 32}),
    round: readUint(fields.round, 'certificate.round'),
    signatures: readArray(fields.signatures, 'certificate.signatures', CERTIFICATE_SIGNATURES_MAX).map((entry, index) => {
      const signatureFields = readRecord(entry, `certificate.signatures[${index}]`, ['signer', 'signature'])
      return Object.freeze({
        signer: toHex(readBytes(signatureFields.signer, 'signer', {exact: 65})),
        signature: readBytes(signatureFields.signature, 'signature', {exact: 64}),
      })
    }),
  })
}

export function decodeCertificate(bytes: Uint8Array): CommitCertificate {
  return certificateFromDocument(decodeCanonical(bytes, 'certificate'))
}

/** Signatures needed to commit with n validators. */
export function quorumSize(kind: ConsensusKind, validatorCount: number): number {
  if (kind === 'pbft') return 2 * Math.floor((validatorCount - 1) / 3) + 1
  return 1
}

export type CertificateCheck = {ok: true} | {ok: false; reason: string}

/**
 * Check a certificate for `blockHash` at `height` against the validator set (hex public keys).
 * Counts each validator once; unknown signers and bad signatures do not count.
 */
export function checkCertificate(
  certificate: CommitCertificate,
  expected: {kind: ConsensusKind; height: number; blockHash: Uint8Array; validators: readonly string[]},
): CertificateCheck {
  if (certificate.kind !== expected.kind) return {ok: false, reason: `certificate is ${certificate.kind}, chain uses ${expected.kind}`}
  if (certificate.height !== expected.height) return {ok: false, reason: 'certificate height does not match the block'}
  if (!bytesEqual(certificate.blockHash, expected.blockHash)) return {ok: false, reason: 'certificate is for another block hash'}
  const message = commitSignBytes(certificate.kind, certificate.height, certificate.round, certificate.blockHash)
  const validators = new Set(expected.validators.map((key) => key.toLowerCase()))
  const counted = new Set<string>()
  for (const entry of certificate.signatures) {
    const signer = entry.signer.toLowerCase()
    if (!validators.has(signer) || counted.has(signer)) continue
    if (verify(fromHex(signer), message, entry.signature)) counted.add(signer)
  }
  const needed = quorumSize(certificate.kind, validators.size)
  if (counted.size < needed) {
    return {ok: false, reason: `certificate has ${counted.size} valid validator signatures; ${needed} needed`}
  }
  return {ok: true}
}

export function certificateToJson(certificate: CommitCertificate): Record<string, unknown> {
  return {
    kind: certificate.kind,
    height: certificate.height,
    blockHash: toHex(certificate.blockHash),
    round: certificate.round,
    signatures: certificate.signatures.map((entry) => ({signer: entry.signer, signature: toHex(entry.signature)})),
  }
}
