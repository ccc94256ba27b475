/**
 * The static check of a run of backed-up blocks, without executing them: each block decodes
 * strictly (its header commits to its txs), follows the previous one (height, prevHash, chain
 * id), and its certificate names exactly this block and carries valid SM2 signatures.
 *
 * Certificates are checked against the validators of their height, starting from the genesis
 * set and following every `nodes` change a block carries by replaying it with the contract's own
 * method (applyMembershipChange; a change the genesis roles do not allow, or that the contract
 * refuses, failed on chain too and changes nothing). Replay without execution cannot see every
 * reason a change tx failed (an org admin disabled through `accounts`), so once a change was
 * replayed, a certificate that does not verify against the replayed set falls back to checking
 * each signature against its own signer ("signature-only") and the set is unknown from there
 * on; before any change, such a certificate is refused. An incremental read without its bases
 * is signature-only throughout. Restore closes every gap: it re-executes every block and the
 * engine checks each certificate against the validators of its height.
 */
import {bytesEqual, fromHex, toHex} from '../../core/bytes.js'
import {applyMembershipChange, createNodesContract, NODES_CHANGE_METHODS, NODES_CONTRACT_NAME, validatorsOf, type NodeMember} from '../../core/chain/contracts/nodes.js'
import {genesisMembers} from '../../core/chain/membership.js'
import {GOVERNANCE_CONTRACT_NAME} from '../../core/chain/governance/records.js'
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
  /** The node set followed from the genesis, while known. */
  private members: readonly NodeMember[] | undefined
  /** Whether `members` came from replaying a change (and so may differ from the chain's). */
  private replayed = false
  private readonly changeRoles: ReadonlyMap<string, readonly string[] | undefined>
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
    // Following changes needs the member records, known only when starting from the genesis set.
    this.changeRoles = nodesMethodRoles(genesis)
    this.members = start.height === 0 && start.validators !== undefined ? genesisMembers(genesis) : undefined
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
    this.followChanges(block)
    this.height = height
    this.hash = block.hash
    return {height, block, certificate, record}
  }

  /** Replay the block's `nodes` changes, in block order, on the followed set. */
  private followChanges(block: Block): void {
    // Version 2: a node change may run inside a governance tx (the vote that met its policy),
    // which blocks alone cannot tell apart from other votes: from here on the followed set may
    // not be the chain's, so a certificate it does not verify falls back to signatures only.
    if (this.genesis.version === 2 && block.txs.some((tx) => tx.body.contract === GOVERNANCE_CONTRACT_NAME)) this.replayed = true
    const changes = block.txs.filter((tx) => tx.body.contract === NODES_CONTRACT_NAME && NODES_CHANGE_METHODS.has(tx.body.method))
    if (changes.length === 0) return
    let members = this.members
    for (const tx of changes) {
      if (members === undefined) break
      const role = this.genesis.accounts.find((account) => account.address === tx.senderAddress)?.roles[0]
      const allowed = this.changeRoles.get(tx.body.method)
      if (role === undefined || (allowed !== undefined && !allowed.includes(role))) continue
      const context = {chainId: this.genesis.chainId, height: block.header.height, blockTime: block.header.timestamp, txHash: tx.hashHex, sender: {address: tx.senderAddress, publicKey: toHex(tx.body.sender), role}}
      try {
        members = applyMembershipChange(members, tx.body.method, JSON.parse(tx.body.args) as unknown, context)
        this.replayed = true
      } catch {
        // refused by the contract: it failed on chain as well and changed nothing
      }
    }
    this.members = members
    this.validators = members === undefined ? undefined : validatorsOf(members)
  }

  private checkSignatures(certificate: CommitCertificate, where: string): void {
    try {
      if (this.validators !== undefined) {
        try {
          verifyCommitCertificate(certificate, this.validators, verifySignature)
          this.certificatesAgainstValidators++
          return
        } catch (error) {
          if (!this.replayed) throw error
          // The replayed set may not be the chain's (see the file comment): from here on, signatures only.
          this.members = undefined
          this.validators = undefined
        }
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

/** Roles allowed to call each `nodes` change method (from the contract's own table). */
function nodesMethodRoles(genesis: Genesis): ReadonlyMap<string, readonly string[] | undefined> {
  const contract = createNodesContract(genesis.validators)
  return new Map([...NODES_CHANGE_METHODS].map((method) => [method, contract.methods[method]?.roles]))
}

function decodeOrCorrupt<T>(decode: () => T, what: string): T {
  try {
    return decode()
  } catch (error) {
    if (!(error instanceof WichainError)) throw error
    throw new WichainError('CORRUPT_DATA', `${what} does not decode: ${error.message}`, undefined, {cause: error})
  }
}
