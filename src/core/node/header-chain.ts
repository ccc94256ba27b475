/**
 * One chain on a header-only node (config `"sync": "headers"`): it keeps block headers and
 * commit certificates, never tx bodies, receipts or state. Every header it accepts extends its
 * head (height and prevHash), carries a certificate that verifies against the validator set in
 * force at that height, and the set is followed across node-set changes by checking and
 * replaying the membership links the serving peer sends (chain/membership.ts). A tx certificate
 * can be checked against the headers it holds.
 */
import {bytesEqual, toHex} from '../bytes.js'
import {encodeMembers, readMembers, validatorsOf, type NodeMember} from '../chain/contracts/nodes.js'
import {genesisBlock, type Genesis} from '../chain/genesis.js'
import {blockCertificateProblem, followMembershipLink, genesisMembers} from '../chain/membership.js'
import {verifyTxCertificateAgainst, type TxCertificateCheck} from '../chain/tx-certificate.js'
import {HeaderStore, type StoredHeader} from '../ledger/header-store.js'
import type {Logger} from '../log.js'
import {encodeHeader, hashHeader} from '../types/block.js'
import type {HeadersAnswer} from './header-sync.js'

export interface HeaderChainOptions {
  readonly directory: string
  readonly genesis: Genesis
  readonly logger: Logger
  /** The node set changed with the headers just stored (the node re-dials its peers). */
  readonly onMembersChanged?: (members: readonly NodeMember[]) => void
  /** Headers were verified and stored (monitoring). */
  readonly onStored?: (headers: readonly StoredHeader[]) => void
}

export interface HeadersApplied {
  readonly applied: number
  /** Why the rest of the answer was refused; undefined when all of it was stored. */
  readonly problem?: string
}

export class HeaderChain {
  readonly genesis: Genesis
  readonly genesisHash: Uint8Array
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly options: HeaderChainOptions,
    private readonly store: HeaderStore,
    private currentMembers: readonly NodeMember[],
  ) {
    this.genesis = options.genesis
    this.genesisHash = genesisBlock(options.genesis).hash
  }

  static async open(options: HeaderChainOptions): Promise<HeaderChain> {
    const store = await HeaderStore.open(options.directory, genesisBlock(options.genesis).header)
    try {
      const bytes = await store.membersBytes()
      // The stored list uses the nodes contract's encoding, so its reader decodes it.
      const members = bytes === undefined ? genesisMembers(options.genesis) : readMembers({get: () => bytes}, options.genesis.validators)
      options.logger.info('header store opened', {directory: options.directory, height: store.head().height})
      return new HeaderChain(options, store, members)
    } catch (error) {
      await store.close()
      throw error
    }
  }

  get chainId(): string {
    return this.genesis.chainId
  }

  head(): {readonly height: number; readonly hash: Uint8Array} {
    return this.store.head()
  }

  /** The node set governing the height after the head. */
  members(): readonly NodeMember[] {
    return this.currentMembers
  }

  /**
   * Verify and store a sync answer's headers in order, stopping at the first one that fails;
   * the verified prefix is stored as one batch.
   */
  apply(answer: HeadersAnswer): Promise<HeadersApplied> {
    const run = this.queue.then(() => this.applyNow(answer))
    this.queue = run.catch(() => undefined)
    return run
  }

  private async applyNow(answer: HeadersAnswer): Promise<HeadersApplied> {
    const links = new Map(answer.links.map((link) => [link.height, link]))
    let {height, hash} = this.head()
    let members = this.currentMembers
    let membersChanged = false
    const accepted: StoredHeader[] = []
    let problem: string | undefined
    for (const {header, certificate} of answer.headers) {
      const blockHash = hashHeader(header)
      if (header.chainId !== this.chainId || header.height !== height + 1 || !bytesEqual(header.prevHash, hash)) {
        problem = `header ${header.height} does not extend height ${height}`
        break
      }
      problem = blockCertificateProblem(header, certificate, validatorsOf(members), this.genesis)
      if (problem !== undefined) break
      const link = links.get(header.height)
      if (link !== undefined) {
        if (link.header !== toHex(encodeHeader(header))) {
          problem = `membership link ${header.height} is for another block`
          break
        }
        try {
          members = followMembershipLink(link, members, this.genesis)
          membersChanged = true
        } catch (error) {
          problem = (error as Error).message
          break
        }
        links.delete(header.height)
      }
      accepted.push({header, hash: blockHash, certificate})
      height = header.height
      hash = blockHash
    }
    if (problem === undefined && links.size > 0) problem = `membership links for heights not in the answer: ${[...links.keys()].join(', ')}`
    if (accepted.length > 0) {
      await this.store.append(accepted, encodeMembers(members))
      this.currentMembers = members
      this.options.onStored?.(accepted)
      if (membersChanged) {
        this.options.logger.info('validator set changed', {chainId: this.chainId, fromHeight: height + 1, validators: validatorsOf(members).length})
        this.options.onMembersChanged?.(members)
      }
    }
    return problem === undefined ? {applied: accepted.length} : {applied: accepted.length, problem}
  }

  getHeader(height: number): Promise<StoredHeader | undefined> {
    return this.store.get(height)
  }

  async getHeaderByHash(hash: Uint8Array): Promise<StoredHeader | undefined> {
    const height = await this.store.heightOf(hash)
    return height === undefined ? undefined : this.store.get(height)
  }

  /** Verify a tx certificate offline (tx-certificate.ts) and check its block is the one held here. */
  checkTxCertificate(document: unknown): Promise<TxCertificateCheck> {
    return verifyTxCertificateAgainst(document, this.genesis, async (height) => (await this.store.get(height))?.hash)
  }

  status() {
    const head = this.head()
    return {
      chainId: this.chainId,
      genesisHash: toHex(this.genesisHash),
      height: head.height,
      headHash: toHex(head.hash),
      consensus: this.genesis.consensus,
      txExpiryWindow: this.genesis.params.txExpiryWindow,
      role: 'observer',
      round: 0,
      leader: undefined,
      mempool: {txs: 0, bytes: 0},
      validators: validatorsOf(this.currentMembers).length,
    }
  }

  diskBytes(): number | undefined {
    return this.store.diskBytes()
  }

  async close(): Promise<void> {
    await this.queue
    await this.store.close()
  }
}
