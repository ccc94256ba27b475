/**
 * The static check of a run of backed-up blocks, without executing them: each block decodes
 * strictly (its header commits to its txs), follows the previous one (height, prevHash, chain
 * id), and its certificate names exactly this block and carries valid SM2 signatures.
 *
 * Certificates are checked against the genesis validators until a block carries a `nodes`
 * change: whether that tx succeeded (and so who validates next) is only known by executing it.
 * From there on, and for an incremental read without its bases, each signature is checked
 * against its own signer only ("signature-only"). Restore closes that gap: it re-executes every
 * block and the engine checks each certificate against the validators of its height.
 */
import {bytesEqual, fromHex, toHex} from '../../core/bytes.js'
import {NODES_CHANGE_METHODS, NODES_CONTRACT_NAME} from '../../core/chain/contracts/nodes.js'
import type {Genesis} from '../../core/chain/genesis.js'
import {verifyCommitCertificate} from '../../core/consensus/certificate.js'
import {fastVerify} from '../../core/crypto/native.js'
import {WichainError} from '../../core/errors.js'
import {decodeBlock, type Block} from '../../core/types/block.js'
import {commitSignBytes, decodeCertificate, type CommitCertificate} from '../../core/types/certificate.js'
import type {SegmentRecord} from './format.js'

/** Progress reporting, structurally what src/cli/progress.ts hands out. */
export interface ProgressSink {
  total(total: number): void
  tick(delta?: number): void
}

export interface CheckedBlock {
  readonly height: number
  readonly block: Block
  readonly certificate: CommitCertificate
  readonly record: SegmentRecord
}

export interface WalkStart {
  /** Height of the block before the first one to check, and its hash. */
  readonly height: number
  readonly hash: Uint8Array
  /** Validators governing `height + 1`, or undefined when not known. */
  readonly validators: readonly string[] | undefined
}

function verifySignature(signer: string, message: Uint8Array, signature: Uint8Array): boolean {
  return fastVerify(fromHex(signer), message, signature)
}

export class BlockWalker {
  private height: number
  private hash: Uint8Array
  private validators: readonly string[] | undefined
  certificatesAgainstValidators = 0
  certificatesSignatureOnly = 0

  constructor(
    private readonly genesis: Genesis,
    start: WalkStart,
    private readonly options: {verifySignatures: boolean},
  ) {
    this.height = start.height
    this.hash = start.hash
    this.validators = start.validators
  }

  static genesisValidators(genesis: Genesis): string[] {
    return genesis.validators.map((validator) => validator.publicKey)
  }

  get head(): {height: number; hash: Uint8Array} {
    return {height: this.height, hash: this.hash}
  }

  /**
   * Check the next block; `where` names it in errors (backup file and member). `decoded` is the
   * block already decoded from `record.payload` by a trusted reader (the ledger), if any.
   */
  next(record: SegmentRecord, where: string, decoded?: Block): CheckedBlock {
    const height = this.height + 1
    const block = decoded ?? decodeOrCorrupt(() => decodeBlock(record.payload), `${where}: block ${height}`)
    const header = block.header
    if (header.height !== height) throw new WichainError('CORRUPT_DATA', `${where}: found block ${header.height} where ${height} was expected`)
    if (header.chainId !== this.genesis.chainId) throw new WichainError('CORRUPT_DATA', `${where}: block ${height} is for chain "${header.chainId}"`)
    if (!bytesEqual(header.prevHash, this.hash)) {
      throw new WichainError('CORRUPT_DATA', `${where}: block ${height} does not link to block ${this.height} (prevHash ${toHex(header.prevHash)}, expected ${toHex(this.hash)})`)
    }
    const certificate = decodeOrCorrupt(() => decodeCertificate(record.certificate), `${where}: certificate of block ${height}`)
    if (certificate.height !== height || !bytesEqual(certificate.blockHash, block.hash) || certificate.kind !== this.genesis.consensus) {
      throw new WichainError('VERIFICATION_FAILED', `${where}: the certificate stored with block ${height} is not a ${this.genesis.consensus} certificate for that block`)
    }
    if (this.options.verifySignatures) this.checkSignatures(certificate, where)
    if (block.txs.some((tx) => tx.body.contract === NODES_CONTRACT_NAME && NODES_CHANGE_METHODS.has(tx.body.method))) this.validators = undefined
    this.height = height
    this.hash = block.hash
    return {height, block, certificate, record}
  }

  private checkSignatures(certificate: CommitCertificate, where: string): void {
    try {
      if (this.validators !== undefined) {
        verifyCommitCertificate(certificate, this.validators, verifySignature)
        this.certificatesAgainstValidators++
        return
      }
      const message = commitSignBytes(certificate.kind, certificate.height, certificate.round, certificate.blockHash)
      const signers = new Set(certificate.signatures.map((entry) => entry.signer))
      if (signers.size !== certificate.signatures.length || signers.size === 0) throw new WichainError('VERIFICATION_FAILED', 'no or duplicate signers')
      for (const {signer, signature} of certificate.signatures) {
        if (!verifySignature(signer, message, signature)) throw new WichainError('VERIFICATION_FAILED', `bad signature by ${signer.slice(0, 16)}…`)
      }
      this.certificatesSignatureOnly++
    } catch (error) {
      if (!(error instanceof WichainError)) throw error
      throw new WichainError('VERIFICATION_FAILED', `${where}: block ${certificate.height}: ${error.message}`, error.details, {cause: error})
    }
  }
}

function decodeOrCorrupt<T>(decode: () => T, what: string): T {
  try {
    return decode()
  } catch (error) {
    if (!(error instanceof WichainError)) throw error
    throw new WichainError('CORRUPT_DATA', `${what} does not decode: ${error.message}`, undefined, {cause: error})
  }
}
