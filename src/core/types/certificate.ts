/**
 * Commit certificates as data: proof that the validators committed a block (solo: the one
 * validator's SM2 signature; PBFT: 2f+1 distinct validator signatures; Raft: the leader's
 * signature with its term) and their canonical encoding. What the signatures cover and how a
 * certificate is checked lives with the engines, in consensus/certificate.ts.
 */
import {fromHex, toHex} from '../bytes.js'
import {decodeCanonical, encodeCanonical} from '../codec/canonical.js'
import {readArray, readBytes, readEnum, readRecord, readUint} from '../codec/fields.js'

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

/** The bytes every validator signs to commit a block: the one definition for the project. */
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

/** Bytes of a certificate's encoding, bounded from above (no encoding needed). */
export const CERTIFICATE_FIXED_BYTES = 128
export const CERTIFICATE_SIGNATURE_BYTES = 65 + 64 + 32
export function certificateBytes(certificate: CommitCertificate): number {
  return CERTIFICATE_FIXED_BYTES + certificate.signatures.length * CERTIFICATE_SIGNATURE_BYTES
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

export function certificateToJson(certificate: CommitCertificate): Record<string, unknown> {
  return {
    kind: certificate.kind,
    height: certificate.height,
    blockHash: toHex(certificate.blockHash),
    round: certificate.round,
    signatures: certificate.signatures.map((entry) => ({signer: entry.signer, signature: toHex(entry.signature)})),
  }
}
