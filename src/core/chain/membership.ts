/**
 * The membership chain: how a verifier that trusts only the genesis follows a chain's validator
 * set across `nodes` changes (spec §5.5 cross-level verification). For every block that changed
 * the node set, a link carries its header, its commit certificate, and its ok change txs with
 * Merkle proofs of the tx (txRoot) and of its receipt (receiptRoot). Following the links from
 * the genesis validators: each link's certificate must verify against the set in force, each
 * change must be signed by an account the genesis allows to make it, and is replayed with the
 * `nodes` contract's own method (applyMembershipChange) to get the next set.
 *
 * Trust model: links are only accepted when signed by the set in force, so a forged set needs a
 * quorum of a real earlier set. A holder that leaves links out makes the verifier keep an older
 * set, under which later certificates fail: omissions fail closed (as light clients do).
 */
import {bytesEqual, fromHex, toHex} from '../bytes.js'
import {readArray, readEnum, readRecord, readString, readUint} from '../codec/fields.js'
import {commitCertificateProblem} from '../consensus/certificate.js'
import {verify} from '../crypto/sm2.js'
import {WichainError} from '../errors.js'
import type {Ledger} from '../ledger/index.js'
import {decodeHeader, encodeHeader, hashHeader, type BlockHeader} from '../types/block.js'
import {decodeCertificate, encodeCertificate, type CommitCertificate} from '../types/certificate.js'
import {merkleProof, verifyMerkleProof, type MerkleProof} from '../types/merkle.js'
import {decodeReceipt, encodeReceipt, type Receipt} from '../types/receipt.js'
import {decodeTx, verifyTxSignature, type Tx} from '../types/tx.js'
import {applyMembershipChange, createNodesContract, NODES_CHANGE_METHODS, NODES_CHANGES_PAGE_MAX, NODES_CONTRACT_NAME, readMembers, validatorsOf, type NodeMember} from './contracts/nodes.js'
import type {Genesis} from './genesis.js'
import {executedNodeAction} from './governance/node-change.js'

export const MEMBERSHIP_LIMITS = Object.freeze({linksMax: 10_000, changesPerLinkMax: 10_000})

export interface MembershipChange {
  readonly tx: string
  readonly receipt: string
  readonly txProof: MerkleProof
  readonly receiptProof: MerkleProof
}

/** One block that changed the node set: everything needed to replay its changes offline. */
export interface MembershipLink {
  readonly height: number
  readonly header: string
  readonly certificate: string
  readonly changes: readonly MembershipChange[]
}

/** What the links are read from: a Chain fits. */
export interface MembershipSource {
  query(contract: string, method: string, args: unknown): unknown
  readonly ledger: Pick<Ledger, 'getBlock' | 'getReceipts' | 'getCertificate'>
}

/** A `nodes` change tx, or (version 2) a governance tx whose proposal executed one. */
function isChange(tx: Tx, receipt: Receipt | undefined): boolean {
  if (executedNodeAction(tx, receipt) !== undefined) return true
  return tx.body.contract === NODES_CONTRACT_NAME && NODES_CHANGE_METHODS.has(tx.body.method) && receipt?.status === 'ok'
}

/** The link of one committed block (throws NOT_FOUND when it changed nothing). */
export function membershipLink(input: {header: BlockHeader; txs: readonly Tx[]; receipts: readonly Receipt[]; certificate: CommitCertificate}): MembershipLink {
  const txBytes = input.txs.map((tx) => tx.bytes)
  const receiptBytes = input.receipts.map(encodeReceipt)
  const changes: MembershipChange[] = []
  input.txs.forEach((tx, index) => {
    if (!isChange(tx, input.receipts[index])) return
    changes.push({tx: toHex(tx.bytes), receipt: toHex(receiptBytes[index]!), txProof: merkleProof(txBytes, index), receiptProof: merkleProof(receiptBytes, index)})
  })
  if (changes.length === 0) throw new WichainError('NOT_FOUND', `block ${input.header.height} changed no node set`)
  return {height: input.header.height, header: toHex(encodeHeader(input.header)), certificate: toHex(encodeCertificate(input.certificate)), changes}
}

/** Heights of the blocks below `beforeHeight` that changed the node set, oldest first (the `nodes` change index). */
export function changeHeights(source: Pick<MembershipSource, 'query'>, beforeHeight: number): number[] {
  const heights: number[] = []
  for (let start = 0; heights.length < MEMBERSHIP_LIMITS.linksMax; start += NODES_CHANGES_PAGE_MAX) {
    const page = source.query(NODES_CONTRACT_NAME, 'changes', {start, count: NODES_CHANGES_PAGE_MAX}) as {total: number; heights: number[]}
    for (const height of page.heights) {
      if (height >= beforeHeight) return heights
      heights.push(height)
    }
    if (start + NODES_CHANGES_PAGE_MAX >= page.total) return heights
  }
  throw new WichainError('PAYLOAD_TOO_LARGE', `more than ${MEMBERSHIP_LIMITS.linksMax} node-set changes`)
}

/** The links of every node-set change below `beforeHeight`, read from the store. */
export async function membershipChain(source: MembershipSource, beforeHeight: number): Promise<MembershipLink[]> {
  const links: MembershipLink[] = []
  for (const height of changeHeights(source, beforeHeight)) {
    const block = await source.ledger.getBlock(height)
    const [receipts, certificate] = await Promise.all([source.ledger.getReceipts(height), source.ledger.getCertificate(height)])
    if (block === undefined || receipts === undefined || !certificate) throw new WichainError('CORRUPT_DATA', `block ${height} (a node-set change) is incomplete in the store`)
    links.push(membershipLink({header: block.header, txs: block.txs, receipts, certificate}))
  }
  return links
}

/** The node set before block 1: the genesis validators. */
export function genesisMembers(genesis: Genesis): readonly NodeMember[] {
  return readMembers({get: () => undefined}, genesis.validators)
}

function fail(height: unknown, reason: string): never {
  throw new WichainError('VERIFICATION_FAILED', `membership link at height ${String(height)}: ${reason}`)
}

/** Why `certificate` does not commit `header` for `validators` on this genesis, or undefined. */
export function blockCertificateProblem(header: BlockHeader, certificate: CommitCertificate, validators: readonly string[], genesis: Genesis): string | undefined {
  if (certificate.kind !== genesis.consensus) return `certificate is ${certificate.kind}; the chain runs ${genesis.consensus}`
  if (certificate.height !== header.height || !bytesEqual(certificate.blockHash, hashHeader(header))) return 'commit certificate is for another block'
  const problem = commitCertificateProblem(certificate, validators, (signer, message, signature) => verify(fromHex(signer), message, signature))
  return problem === undefined ? undefined : `commit certificate: ${problem}`
}

/**
 * Check one link against `members` (the set in force before its block) and return the set after
 * it. Throws VERIFICATION_FAILED with the reason.
 */
export function followMembershipLink(link: MembershipLink, members: readonly NodeMember[], genesis: Genesis): readonly NodeMember[] {
  if (link === null || typeof link !== 'object') fail('?', 'not an object')
  const header = decodeHeader(fromHex(link.header, 'membership header'))
  const certificate = decodeCertificate(fromHex(link.certificate, 'membership certificate'))
  if (header.height !== link.height || header.chainId !== genesis.chainId) fail(link.height, 'header is for another height or chain')
  const problem = blockCertificateProblem(header, certificate, validatorsOf(members), genesis)
  if (problem !== undefined) fail(link.height, problem)
  if (!Array.isArray(link.changes) || link.changes.length === 0 || link.changes.length > MEMBERSHIP_LIMITS.changesPerLinkMax) {
    fail(link.height, `changes must be a list of 1..${MEMBERSHIP_LIMITS.changesPerLinkMax}`)
  }
  const contract = createNodesContract(genesis.validators)
  const roles = new Map(genesis.accounts.map((account) => [account.address, account.roles[0]!]))
  let next = members
  let lastIndex = -1
  for (const change of link.changes) {
    const tx = decodeTx(fromHex(change.tx, 'membership tx'))
    const receipt = decodeReceipt(fromHex(change.receipt, 'membership receipt'))
    const where = `tx ${tx.hashHex.slice(0, 16)}…`
    if (tx.body.chainId !== genesis.chainId || !verifyTxSignature(tx)) fail(link.height, `${where} is not a signed tx of this chain`)
    if (!bytesEqual(receipt.txHash, tx.hash) || receipt.status !== 'ok') fail(link.height, `${where} has no ok receipt`)
    // Version 2: a proposal's votes were counted by the validators that certified this block;
    // its receipt (proven below) says which change ran. Version 1: the sender's genesis role.
    const governed = genesis.version === 2 ? executedNodeAction(tx, receipt) : undefined
    const role = roles.get(tx.senderAddress)
    if (governed === undefined) {
      if (tx.body.contract !== NODES_CONTRACT_NAME || !NODES_CHANGE_METHODS.has(tx.body.method)) fail(link.height, `${where} is not a node-set change`)
      const allowed = contract.methods[tx.body.method]?.roles
      if (genesis.version === 1 && (role === undefined || (allowed !== undefined && !allowed.includes(role)))) fail(link.height, `${where} is not signed by an account the genesis allows to change the node set`)
    }
    const {txProof, receiptProof} = change
    if (typeof txProof !== 'object' || typeof receiptProof !== 'object' || txProof === null || receiptProof === null) fail(link.height, `${where} has no proofs`)
    if (txProof.index !== receiptProof.index || !(txProof.index > lastIndex)) fail(link.height, 'changes are not in block order')
    if (txProof.total !== header.txCount || receiptProof.total !== header.txCount) fail(link.height, 'proof size does not match the block')
    if (!verifyMerkleProof(tx.bytes, txProof, header.txRoot)) fail(link.height, `${where} is not in the block`)
    if (!verifyMerkleProof(encodeReceipt(receipt), receiptProof, header.receiptRoot)) fail(link.height, `${where}'s receipt is not in the block`)
    lastIndex = txProof.index
    const context = {chainId: genesis.chainId, height: header.height, blockTime: header.timestamp, txHash: tx.hashHex, sender: {address: tx.senderAddress, publicKey: toHex(tx.body.sender), role}}
    try {
      const change = governed ?? {method: tx.body.method, args: JSON.parse(tx.body.args) as unknown}
      next = applyMembershipChange(next, change.method, change.args, context, {certified: genesis.version === 2})
    } catch (error) {
      fail(link.height, `${where} does not replay: ${(error as Error).message}`)
    }
  }
  if (validatorsOf(next).length === 0) fail(link.height, 'leaves no validator')
  return next
}

/**
 * Follow `links` from the genesis set and return the validators that govern `height` (links
 * must be for heights below it, in increasing order). Throws VERIFICATION_FAILED.
 */
export function validatorsAt(links: unknown, genesis: Genesis, height: number): readonly string[] {
  if (!Array.isArray(links) || links.length > MEMBERSHIP_LIMITS.linksMax) throw new WichainError('VERIFICATION_FAILED', `membership must be a list of at most ${MEMBERSHIP_LIMITS.linksMax} links`)
  let previous = 0
  for (const link of links as Array<Partial<MembershipLink> | null>) {
    const linkHeight = link?.height
    if (typeof linkHeight !== 'number' || !Number.isSafeInteger(linkHeight) || linkHeight <= previous || linkHeight >= height) {
      fail(linkHeight, `heights must increase and stay below the certified block ${height}`)
    }
    previous = linkHeight
  }
  let members = genesisMembers(genesis)
  for (const link of links as MembershipLink[]) members = followMembershipLink(link, members, genesis)
  return validatorsOf(members)
}

/** Strictly read a link received from a peer (the shape only; `followMembershipLink` checks the content). */
export function readMembershipLink(value: unknown): MembershipLink {
  const fields = readRecord(value, 'membership link', ['height', 'header', 'certificate', 'changes'])
  const changes = readArray(fields.changes, 'membership changes', MEMBERSHIP_LIMITS.changesPerLinkMax).map((entry) => {
    const change = readRecord(entry, 'membership change', ['tx', 'receipt', 'txProof', 'receiptProof'])
    return {tx: readHex(change.tx, 'tx'), receipt: readHex(change.receipt, 'receipt'), txProof: readProof(change.txProof), receiptProof: readProof(change.receiptProof)}
  })
  return {height: readUint(fields.height, 'membership height'), header: readHex(fields.header, 'header'), certificate: readHex(fields.certificate, 'certificate'), changes}
}

const HEX_LENGTH_MAX = 2 * 1024 * 1024
const PROOF_STEPS_MAX = 64

function readHex(value: unknown, what: string): string {
  const hex = readString(value, `membership ${what}`, HEX_LENGTH_MAX)
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new WichainError('DECODE_ERROR', `membership ${what}: expected lowercase hex`)
  return hex
}

function readProof(value: unknown): MerkleProof {
  const fields = readRecord(value, 'merkle proof', ['index', 'total', 'path'])
  const path = readArray(fields.path, 'merkle path', PROOF_STEPS_MAX).map((entry) => {
    const step = readRecord(entry, 'merkle step', ['side', 'hash'])
    return {side: readEnum(step.side, 'merkle side', ['left', 'right'] as const), hash: readHex(step.hash, 'merkle hash')}
  })
  return {index: readUint(fields.index, 'merkle index'), total: readUint(fields.total, 'merkle total'), path}
}
