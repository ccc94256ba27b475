/**
 * Offline votes, for air-gapped admin keys: `proposal sign ID --key K --out vote.json` writes a
 * signed vote document; `proposal submit-vote vote.json` carries it in any account's tx
 * (`governance.submitVote`), and the contract counts it as the signer's vote.
 *
 * The signature is SM2 (default ID, SM3, as for txs) over the canonical encoding of
 * `{domain, chainId, proposalId, approve, publicKey, expiryHeight}`: the domain keeps a vote from
 * ever verifying as anything else, the chain id from counting on another chain, and the expiry
 * height (the vote's own validity, at most the proposal's) from being carried forever. A vote is
 * counted once per signer and proposal, so a replayed document is refused (ALREADY_EXISTS).
 */
import {fromHex, toHex} from '../../bytes.js'
import {encodeCanonical} from '../../codec/canonical.js'
import {fastVerify} from '../../crypto/native.js'
import {addressOf, type Signer} from '../../crypto/sm2.js'
import {WichainError} from '../../errors.js'
import {CHAIN_ID_RE, TX_LIMITS} from '../../types/tx.js'

export const SIGNED_VOTE_TYPE = 'wichain-vote'
export const SIGNED_VOTE_VERSION = 1
const VOTE_DOMAIN = 'wichain/governance-vote/1'

export interface VoteRequest {
  readonly chainId: string
  readonly proposalId: number
  readonly approve: boolean
  /** Last height at which the vote may be counted (at most the proposal's expiry height). */
  readonly expiryHeight: number
}

/** The document as written to `vote.json` and carried in `submitVote {vote}`. */
export interface SignedVoteDocument extends VoteRequest {
  readonly type: typeof SIGNED_VOTE_TYPE
  readonly version: typeof SIGNED_VOTE_VERSION
  /** Hex of the voter's 65-byte SM2 public key. */
  readonly publicKey: string
  /** Hex of the 64-byte SM2 signature. */
  readonly signature: string
}

export interface VerifiedVote extends VoteRequest {
  readonly publicKey: string
  /** The voter's address (from the public key). */
  readonly voter: string
  readonly signature: string
}

const DOCUMENT_KEYS = ['type', 'version', 'chainId', 'proposalId', 'approve', 'expiryHeight', 'publicKey', 'signature']

/** The bytes a vote's signature covers. */
export function signedVoteBytes(vote: VoteRequest & {readonly publicKey: string}): Uint8Array {
  return encodeCanonical({
    domain: VOTE_DOMAIN, chainId: vote.chainId, proposalId: vote.proposalId, approve: vote.approve, publicKey: vote.publicKey, expiryHeight: vote.expiryHeight,
  })
}

function fail(message: string): never {
  throw new WichainError('INVALID_ARGUMENT', `signed vote: ${message}`)
}

function checkRequest(request: VoteRequest): void {
  if (typeof request.chainId !== 'string' || request.chainId.length > TX_LIMITS.chainIdLengthMax || !CHAIN_ID_RE.test(request.chainId)) fail('bad chainId')
  if (!Number.isSafeInteger(request.proposalId) || request.proposalId < 1) fail('proposalId must be an integer ≥ 1')
  if (typeof request.approve !== 'boolean') fail('approve must be true or false')
  if (!Number.isSafeInteger(request.expiryHeight) || request.expiryHeight < 1) fail('expiryHeight must be an integer ≥ 1')
}

/** Signs a vote (the CLI's `proposal sign`). Pure: no chain access. */
export function createSignedVote(signer: Signer, request: VoteRequest): SignedVoteDocument {
  checkRequest(request)
  const publicKey = toHex(signer.publicKey)
  const vote = {chainId: request.chainId, proposalId: request.proposalId, approve: request.approve, expiryHeight: request.expiryHeight}
  const signature = toHex(signer.sign(signedVoteBytes({...vote, publicKey})))
  return Object.freeze({type: SIGNED_VOTE_TYPE, version: SIGNED_VOTE_VERSION, ...vote, publicKey, signature})
}

/**
 * Checks a signed vote document's shape strictly (INVALID_ARGUMENT) and its signature
 * (BAD_SIGNATURE). Says nothing of the chain: the contract checks chain, proposal, voter, expiry.
 */
export function verifySignedVote(document: unknown): VerifiedVote {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) fail('must be an object')
  const fields = document as Record<string, unknown>
  for (const key of Object.keys(fields)) if (!DOCUMENT_KEYS.includes(key)) fail(`unknown field "${key}"`)
  if (fields.type !== SIGNED_VOTE_TYPE || fields.version !== SIGNED_VOTE_VERSION) fail(`type must be "${SIGNED_VOTE_TYPE}" version ${SIGNED_VOTE_VERSION}`)
  const request = {chainId: fields.chainId, proposalId: fields.proposalId, approve: fields.approve, expiryHeight: fields.expiryHeight} as VoteRequest
  checkRequest(request)
  if (typeof fields.publicKey !== 'string' || fields.publicKey.length !== 130) fail('publicKey must be 65 bytes of hex')
  if (typeof fields.signature !== 'string' || fields.signature.length !== 128) fail('signature must be 64 bytes of hex')
  const publicKeyBytes = fromHex(fields.publicKey, 'signed vote publicKey')
  const signatureBytes = fromHex(fields.signature, 'signed vote signature')
  const publicKey = toHex(publicKeyBytes)
  let voter: string
  try {
    voter = addressOf(publicKeyBytes)
  } catch {
    throw new WichainError('BAD_SIGNATURE', 'signed vote: publicKey is not a valid SM2 public key')
  }
  if (!fastVerify(publicKeyBytes, signedVoteBytes({...request, publicKey}), signatureBytes)) {
    throw new WichainError('BAD_SIGNATURE', `signed vote: the signature does not verify for ${voter}`)
  }
  return Object.freeze({...request, publicKey, voter, signature: toHex(signatureBytes)})
}
