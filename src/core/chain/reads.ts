/**
 * The read side of one chain: what clients, sync peers and monitoring ask of it — blocks with
 * their certificates, txs and where they landed, tx certificates, contract queries, the node set,
 * status — and the committed-state reads admission checks against. Reads never wait on the serial
 * queue: they see the ledger's committed head.
 *
 * Owns: the chain's identity (genesis, system contracts, account roles), waiting for a tx to
 * commit, the admission read cache. Does not own: the driver — `Chain` (chain.ts) extends this
 * class with the serial queue, the engine, commits and admission — nor the halt record (halt.ts).
 */
import {fromHex, toHex} from '../bytes.js'
import type {CommittedBlock, ConsensusEngine} from '../consensus/engine.js'
import {WichainError} from '../errors.js'
import type {Ledger} from '../ledger/index.js'
import {MEMPOOL_BYTES_MAX, SYNC_ITEM_OVERHEAD_BYTES} from '../limits.js'
import {encodeBlock, type Block} from '../types/block.js'
import {certificateBytes, type CommitCertificate} from '../types/certificate.js'
import type {AdmissionRules} from './admission.js'
import type {SystemContract} from './contracts/contract.js'
import {NODES_CONTRACT_NAME, validatorsOf, type NodeMember} from './contracts/nodes.js'
import {systemContractsOf} from './contracts/system.js'
import {ConsortiumView} from './consortium/view.js'
import {query, stateKey, type ExecutionEnvironment} from './executor.js'
import {genesisBlock, txGasMaxOf, type ChainParams, type Genesis, type Role} from './genesis.js'
import {effectiveParams, PARAMS_CONTRACT_NAME} from './contracts/params.js'
import {ChainHalt, type HaltRecord} from './halt.js'
import {membershipChain} from './membership.js'
import {Mempool} from './mempool.js'
import type {ChainOptions, TxLocation} from './options.js'
import {buildTxCertificate, type TxCertificate} from './tx-certificate.js'
import type {SerialQueueStatus} from './serial-queue.js'
import {TxWaiters} from './waiters.js'

const COMMITTED_READS_MAX = 4096

export abstract class ChainReads {
  readonly genesis: Genesis
  readonly genesisHash: Uint8Array
  private readonly roles: Map<string, Role>
  protected readonly contracts: ReadonlyMap<string, SystemContract>
  private readonly committedReads = new Map<string, Uint8Array | undefined>()
  protected readonly mempool: Mempool
  protected readonly halt: ChainHalt
  protected readonly waiters = new TxWaiters<TxLocation>()
  protected engine!: ConsensusEngine

  protected constructor(
    protected readonly options: ChainOptions,
    protected store: Ledger,
  ) {
    this.genesis = options.genesis
    this.genesisHash = genesisBlock(options.genesis).hash
    this.roles = new Map(options.genesis.accounts.map((account) => [account.address, account.roles[0]!]))
    this.contracts = systemContractsOf(options.genesis)
    // The mempool's size follows the parameters in force (version 2 chains change them at run time).
    const params = () => this.params()
    this.mempool = new Mempool({get txsMax() { return params().mempoolTxsMax }, bytesMax: MEMPOOL_BYTES_MAX})
    this.halt = new ChainHalt(options.logger, () => this.now())
  }

  /**
   * The chain's store. Maintenance (backup, archive) may read it; writes go through the chain.
   * Another instance after a resume from a storage fault: read it here each time, never keep it.
   */
  get ledger(): Ledger {
    return this.store
  }

  get chainId(): string {
    return this.genesis.chainId
  }

  head(): {height: number; hash: Uint8Array} {
    return this.ledger.head()!
  }

  /** Why the chain halted, while it is halted. */
  halted(): HaltRecord | undefined {
    return this.halt.record
  }

  protected now(): number {
    return (this.options.clock ?? Date.now)()
  }

  protected environment(): ExecutionEnvironment {
    return {
      chainId: this.chainId,
      contracts: this.contracts,
      roleOf: (address) => this.roleOf(address),
      readState: (key) => this.ledger.getState(key),
      genesis: this.genesis,
      txGasMax: txGasMaxOf(this.params()),
    }
  }

  /**
   * The chain parameters for the next block: the genesis ones, with (version 2) the changes the
   * `params` contract holds in committed state.
   */
  params(): ChainParams {
    if (this.genesis.version === 1) return this.genesis.params
    return effectiveParams(this.genesis.params, {get: (key) => this.readCommitted(stateKey(PARAMS_CONTRACT_NAME, key))})
  }

  /**
   * The consortium (organisations, accounts, policies) over committed state: what reads and node
   * operations are authorised against. A version 1 chain is one organisation of its genesis accounts.
   */
  directory(): ConsortiumView {
    return new ConsortiumView(this.genesis, (contract, key) => this.readCommitted(stateKey(contract, key)))
  }

  /**
   * A registered account's (first) role; undefined when unknown. Version 2: an account in state
   * or the genesis whose organisation is active (disabled accounts are refused separately).
   */
  private roleOf(address: string): Role | undefined {
    if (this.genesis.version === 1) return this.roles.get(address)
    const account = this.directory().account(address)
    return account !== undefined && this.directory().org(account.org)?.status === 'active' ? account.roles[0] : undefined
  }

  protected rules(): AdmissionRules {
    return {
      chainId: this.chainId,
      txExpiryWindow: this.params().txExpiryWindow,
      roleOf: (address: string) => this.roleOf(address),
      // Disabled accounts (the `accounts` contract) are refused with ACCOUNT_DISABLED.
      readState: (key: Uint8Array) => this.readCommitted(key),
    }
  }

  /**
   * Committed state for admission checks, cached until the next commit: every tx of a sender
   * asks for the same key (is the account disabled?), and a LevelDB point read costs ~10 µs.
   */
  private readCommitted(key: Uint8Array): Uint8Array | undefined {
    const hex = toHex(key)
    if (this.committedReads.has(hex)) return this.committedReads.get(hex)
    const value = this.ledger.getState(key)
    if (this.committedReads.size < COMMITTED_READS_MAX) this.committedReads.set(hex, value)
    return value
  }

  /** The committed state changed (a commit, a reopened ledger): drop the admission read cache. */
  protected forgetCommittedReads(): void {
    this.committedReads.clear()
  }

  /** The node set after the head block: validators and observers. */
  members(): readonly NodeMember[] {
    const result = this.query(NODES_CONTRACT_NAME, 'list', {}) as {members: readonly NodeMember[]}
    return result.members
  }

  /** Public keys (hex) of the validators governing the next height. */
  validators(): string[] {
    return validatorsOf(this.members())
  }

  /**
   * Committed blocks with their certificates, for peers that sync from us: at most `countMax`
   * blocks and, past the first, at most `bytesMax` bytes of blocks and certificates (the first
   * always fits: BLOCK_BYTES_MAX + CERTIFICATE_BYTES_MAX is within any answer, limits.ts).
   */
  async committedBlocks(fromHeight: number, countMax: number, bytesMax = Number.MAX_SAFE_INTEGER): Promise<CommittedBlock[]> {
    const blocks: CommittedBlock[] = []
    const last = Math.min(this.head().height, fromHeight + countMax - 1)
    let bytes = 0
    for (let height = Math.max(1, fromHeight); height <= last; height++) {
      // Block first: it fills the header cache the certificate check reads (in parallel, both
      // would decode the block).
      const block = await this.ledger.getBlock(height)
      const certificate = await this.ledger.getCertificate(height)
      if (block === undefined || !certificate) break
      const payload = encodeBlock(block)
      bytes += payload.length + certificateBytes(certificate) + SYNC_ITEM_OVERHEAD_BYTES
      if (bytes > bytesMax && blocks.length > 0) break
      blocks.push({height, payload, certificate})
    }
    return blocks
  }

  /**
   * Resolves when the tx commits (or undefined after `timeoutMs`). CHAIN_HALTED when the chain
   * halts (or has halted) before the tx commits: it stays pending and commits if the chain resumes.
   */
  async waitForTx(txHash: string, timeoutMs: number): Promise<TxLocation | undefined> {
    const notCommitted = () => this.halt.error(`tx ${txHash} is not committed`, {txHash})
    if (this.halt.record !== undefined) {
      const found = await this.getTxLocation(txHash)
      if (found === undefined) throw notCommitted()
      return found
    }
    const wait = this.waiters.wait(txHash, timeoutMs)
    const found = await this.getTxLocation(txHash)
    if (found !== undefined) {
      this.waiters.cancel(txHash, wait)
      return found
    }
    const result = await wait.promise
    if (result === undefined && this.halt.record !== undefined) throw notCommitted()
    return result
  }

  async getTxLocation(txHash: string): Promise<TxLocation | undefined> {
    const found = await this.ledger.getTx(fromHex(txHash, 'tx hash'))
    if (found === undefined) return undefined
    return {txHash, height: found.height, index: found.index, status: found.receipt.status}
  }

  async getTx(txHash: string) {
    return this.ledger.getTx(fromHex(txHash, 'tx hash'))
  }

  isPending(txHash: string): boolean {
    return this.mempool.has(txHash)
  }

  async getBlock(height: number): Promise<Block | undefined> {
    return this.ledger.getBlock(height)
  }

  async getBlockByHash(hash: Uint8Array): Promise<Block | undefined> {
    return this.ledger.getBlockByHash(hash)
  }

  async getCertificate(height: number): Promise<CommitCertificate | undefined> {
    return (await this.ledger.getCertificate(height)) ?? undefined
  }

  /**
   * The tx certificate of a committed tx, with the membership chain of every node-set change
   * below its block, so it verifies offline against the genesis alone (membership.ts).
   */
  async getTxCertificate(txHash: string): Promise<TxCertificate> {
    const location = await this.ledger.getTxLocation(fromHex(txHash, 'tx hash'))
    if (location === undefined) throw new WichainError('NOT_FOUND', `tx ${txHash} is not committed on chain "${this.chainId}"`)
    // Block first (it fills the header cache the other two check against), then the rest.
    const block = await this.ledger.getBlock(location.height)
    const [receipts, certificate] = await Promise.all([this.ledger.getReceipts(location.height), this.ledger.getCertificate(location.height)])
    if (block === undefined || receipts === undefined || !certificate) {
      throw new WichainError('CORRUPT_DATA', `block ${location.height} is incomplete in the store`)
    }
    const membership = await membershipChain(this, location.height)
    return buildTxCertificate({genesisHash: this.genesisHash, header: block.header, txs: block.txs, receipts, index: location.index, certificate, membership})
  }

  query(contract: string, method: string, args: unknown): unknown {
    return query(this.environment(), contract, method, args, this.head().height)
  }

  status() {
    const head = this.head()
    const engine = this.engine.status()
    return {
      chainId: this.chainId,
      genesisHash: toHex(this.genesisHash),
      height: head.height,
      headHash: toHex(head.hash),
      consensus: this.genesis.consensus,
      /** Genesis version 2: organisations, policies and proposals govern the chain. */
      consortium: this.genesis.version === 2,
      txExpiryWindow: this.params().txExpiryWindow,
      role: engine.role,
      round: engine.round,
      leader: engine.leader,
      mempool: {txs: this.mempool.size, bytes: this.mempool.sizeBytes},
      state: (this.halt.record === undefined ? 'running' : 'halted') as 'running' | 'halted',
      /** Why and when the chain stopped, while it is halted; null while it runs. */
      halted: this.halt.record === undefined ? null : {...this.halt.record},
      /** Faults (halts) since the node started, by error code. */
      faults: this.halt.faults(),
      /** The serial queue: tasks waiting, their message bytes, peers' messages dropped when it was full. */
      queue: this.queueStatus(),
    }
  }

  protected abstract queueStatus(): SerialQueueStatus
}
