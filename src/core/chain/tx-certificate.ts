/**
 * The tx certificate (上链凭证 export): everything needed to prove offline, against nothing but
 * the chain's genesis file, that a tx was committed with a given outcome — the tx, its receipt,
 * Merkle inclusion proofs for both, the block header, the validators' commit certificate and
 * (format 2) the membership chain: the node-set changes before the block (membership.ts), so the
 * certificate is checked against the validators in force at its height, not only the genesis ones.
 * Format 1 documents (no membership) still verify, against the genesis validators.
 * Every field that matters is carried as canonical bytes (hex) and re-derived on verification;
 * `summary` is for humans only and is checked against the bytes too.
 */
import {bytesEqual, fromHex, toHex} from '../bytes.js'
import {WichainError} from '../errors.js'
import {decodeHeader, encodeHeader, hashHeader, type BlockHeader} from '../types/block.js'
import {decodeCertificate, encodeCertificate, type CommitCertificate} from '../types/certificate.js'
import {merkleProof, verifyMerkleProof, type MerkleProof} from '../types/merkle.js'
import {decodeReceipt, encodeReceipt, type Receipt} from '../types/receipt.js'
import {decodeTx, verifyTxSignature, type Tx} from '../types/tx.js'
import {genesisBlock, type Genesis} from './genesis.js'
import {blockCertificateProblem, validatorsAt, type MembershipLink} from './membership.js'

export const TX_CERTIFICATE_FORMAT = 'wichain-tx-certificate/2'
/** The first format: no membership chain, verified against the genesis validators. */
export const TX_CERTIFICATE_FORMAT_V1 = 'wichain-tx-certificate/1'

export interface TxCertificate {
  readonly format: typeof TX_CERTIFICATE_FORMAT | typeof TX_CERTIFICATE_FORMAT_V1
  readonly chainId: string
  readonly genesisHash: string
  readonly txHash: string
  readonly height: number
  readonly blockHash: string
  readonly tx: string
  readonly receipt: string
  readonly header: string
  readonly txProof: MerkleProof
  readonly receiptProof: MerkleProof
  readonly certificate: string
  readonly summary: {readonly status: string; readonly contract: string; readonly method: string; readonly sender: string; readonly blockTime: number}
  /** Every node-set change below `height`, oldest first (absent in format 1). */
  readonly membership?: readonly MembershipLink[]
}

export function buildTxCertificate(input: {
  genesisHash: Uint8Array
  header: BlockHeader
  txs: readonly Tx[]
  receipts: readonly Receipt[]
  index: number
  certificate: CommitCertificate
  /** The node-set changes below the block (membershipChain); none when the set never changed. */
  membership?: readonly MembershipLink[]
}): TxCertificate {
  const tx = input.txs[input.index]
  const receipt = input.receipts[input.index]
  if (tx === undefined || receipt === undefined) throw new WichainError('NOT_FOUND', `no tx at index ${input.index}`)
  return {
    format: TX_CERTIFICATE_FORMAT,
    chainId: input.header.chainId,
    genesisHash: toHex(input.genesisHash),
    txHash: tx.hashHex,
    height: input.header.height,
    blockHash: toHex(hashHeader(input.header)),
    tx: toHex(tx.bytes),
    receipt: toHex(encodeReceipt(receipt)),
    header: toHex(encodeHeader(input.header)),
    txProof: merkleProof(input.txs.map((entry) => entry.bytes), input.index),
    receiptProof: merkleProof(input.receipts.map(encodeReceipt), input.index),
    certificate: toHex(encodeCertificate(input.certificate)),
    summary: {status: receipt.status, contract: tx.body.contract, method: tx.body.method, sender: tx.senderAddress, blockTime: input.header.timestamp},
    membership: input.membership ?? [],
  }
}

export interface TxCertificateCheck {
  readonly valid: boolean
  readonly reason?: string
  readonly txHash?: string
  readonly height?: number
  readonly status?: string
  readonly chainId?: string
  /** Node-set changes followed from the genesis to reach the block's validators. */
  readonly membershipChanges?: number
}

/** Verify a certificate document offline against a genesis. Never throws on bad input. */
export function verifyTxCertificate(document: unknown, genesis: Genesis): TxCertificateCheck {
  try {
    return check(document as TxCertificate, genesis)
  } catch (error) {
    return {valid: false, reason: error instanceof Error ? error.message : String(error)}
  }
}

function check(cert: TxCertificate, genesis: Genesis): TxCertificateCheck {
  const invalid = (reason: string): TxCertificateCheck => ({valid: false, reason, txHash: cert.txHash, height: cert.height})
  if (cert === null || typeof cert !== 'object' || (cert.format !== TX_CERTIFICATE_FORMAT && cert.format !== TX_CERTIFICATE_FORMAT_V1)) return {valid: false, reason: 'not a wichain tx certificate'}
  if (cert.format === TX_CERTIFICATE_FORMAT_V1 && cert.membership !== undefined) return invalid('a format 1 certificate carries no membership chain')
  const genesisHash = genesisBlock(genesis).hash
  if (cert.genesisHash !== toHex(genesisHash)) return invalid('certificate is from a chain with another genesis')
  const tx = decodeTx(fromHex(cert.tx, 'tx'))
  const receipt = decodeReceipt(fromHex(cert.receipt, 'receipt'))
  const header = decodeHeader(fromHex(cert.header, 'header'))
  const certificate = decodeCertificate(fromHex(cert.certificate, 'certificate'))
  const blockHash = hashHeader(header)
  if (tx.hashHex !== cert.txHash) return invalid('tx bytes do not hash to txHash')
  if (cert.chainId !== genesis.chainId || header.chainId !== genesis.chainId || tx.body.chainId !== genesis.chainId) {
    return invalid('chain id does not match the genesis')
  }
  if (header.height !== cert.height || toHex(blockHash) !== cert.blockHash) return invalid('header does not match height/blockHash')
  if (!verifyTxSignature(tx)) return invalid('tx signature does not verify')
  if (!bytesEqual(receipt.txHash, tx.hash)) return invalid('receipt is for another tx')
  if (cert.txProof.index !== cert.receiptProof.index) return invalid('tx and receipt proofs point at different positions')
  if (cert.txProof.total !== header.txCount || cert.receiptProof.total !== header.txCount) return invalid('proof size does not match the block')
  if (!verifyMerkleProof(tx.bytes, cert.txProof, header.txRoot)) return invalid('tx is not in the block (Merkle proof fails)')
  if (!verifyMerkleProof(encodeReceipt(receipt), cert.receiptProof, header.receiptRoot)) return invalid('receipt is not in the block (Merkle proof fails)')
  const membership = cert.format === TX_CERTIFICATE_FORMAT_V1 ? [] : cert.membership
  let validators: readonly string[]
  try {
    validators = validatorsAt(membership, genesis, header.height)
  } catch (error) {
    return invalid((error as Error).message)
  }
  const problem = blockCertificateProblem(header, certificate, validators, genesis)
  if (problem !== undefined) return invalid(problem)
  const summary = cert.summary
  if (summary?.status !== receipt.status || summary.contract !== tx.body.contract || summary.method !== tx.body.method || summary.sender !== tx.senderAddress || summary.blockTime !== header.timestamp) {
    return invalid('summary does not match the signed data')
  }
  return {valid: true, txHash: tx.hashHex, height: header.height, status: receipt.status, chainId: header.chainId, membershipChanges: membership!.length}
}

/**
 * `verifyTxCertificate`, then also require the certified block to be the one a node holds at that
 * height (`blockHashAt`: its own store, full or header-only; undefined above its head).
 */
export async function verifyTxCertificateAgainst(document: unknown, genesis: Genesis, blockHashAt: (height: number) => Promise<Uint8Array | undefined>): Promise<TxCertificateCheck> {
  const check = verifyTxCertificate(document, genesis)
  if (!check.valid) return check
  const invalid = (reason: string): TxCertificateCheck => ({valid: false, reason, txHash: check.txHash, height: check.height})
  const held = await blockHashAt(check.height!)
  if (held === undefined) return invalid(`this node does not hold block ${check.height} yet`)
  if (toHex(held) !== (document as TxCertificate).blockHash) return invalid('the block differs from the one this node holds at that height')
  return check
}
