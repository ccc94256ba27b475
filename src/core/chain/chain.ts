/**
 * One business chain on one node: ledger + mempool + executor + a consensus engine, driven in
 * the engine's order (persist, then send, then apply). All state changes — consensus steps,
 * block commits, mempool admission's final check — run on one serial queue, so the ledger, the
 * mempool and the engine never see interleaved updates. Admission (decode, SM2 verify) runs
 * off the queue. Building and validating proposals lives in proposals.ts; this file drives the
 * engine, commits, and answers reads.
 *
 * Fail-stop (halt.ts): anything thrown while the queue drives the engine or commits halts the
 * chain — it is not driven again, refuses txs with CHAIN_HALTED, keeps answering reads. A halt
 * on a storage fault probes the disk on the driver's ticks and, once it takes writes, reopens the
 * ledger (its head is authoritative), rebuilds the engine from the persisted consensus state and
 * resumes (`resumeAfterStorageFault`); pending txs stay in the mempool across it.
 */
import {bytesEqual, fromHex, toHex} from '../bytes.js'
import type {CommittedBlock, ConsensusCrypto, ConsensusEngine, EngineOptions, NodeId, Ready, SyncRequest} from '../consensus/engine.js'
import {fastVerify} from '../crypto/native.js'
import {sign, type KeyPair} from '../crypto/sm2.js'
import {sm3} from '../crypto/sm3.js'
import {toWichainError, WichainError} from '../errors.js'
import {Ledger} from '../ledger/index.js'
import type {Logger} from '../log.js'
import {encodeBlock, type Block} from '../types/block.js'
import {certificateBytes, type CommitCertificate} from '../types/certificate.js'
import {SYNC_ITEM_OVERHEAD_BYTES} from '../limits.js'
import {decodeTx, type Tx} from '../types/tx.js'
import {checkTxForBlock, type AdmissionRules} from './admission.js'
import {ChainHalt, probeDirectory, type HaltRecord} from './halt.js'
import type {SystemContract} from './contracts/contract.js'
import {createAccountsContract} from './contracts/accounts.js'
import {evidenceContract} from './contracts/evidence.js'
import {createNodesContract, NODES_CHANGE_METHODS, NODES_CONTRACT_NAME, validatorsOf, type NodeMember} from './contracts/nodes.js'
import {query, type BlockExecution, type ExecutionEnvironment} from './executor.js'
import {genesisBlock, type Genesis, type Role} from './genesis.js'
import {Mempool} from './mempool.js'
import {Proposals} from './proposals.js'
import {membershipChain} from './membership.js'
import {buildTxCertificate, type TxCertificate} from './tx-certificate.js'
import {TxWaiters} from './waiters.js'

/**
 * System contracts that need nothing from the genesis. Every chain also has `nodes`
 * (createNodesContract), built per chain because its initial set is the genesis validators, and
 * `accounts` (createAccountsContract: disable/enable of the genesis accounts).
 */
export const SYSTEM_CONTRACTS: readonly SystemContract[] = [evidenceContract]

function systemContractsOf(genesis: Genesis): ReadonlyMap<string, SystemContract> {
  const perChain = [createNodesContract(genesis.validators), createAccountsContract(genesis.accounts)]
  return new Map([...SYSTEM_CONTRACTS, ...perChain].map((contract) => [contract.name, contract]))
}
const MEMPOOL_BYTES_MAX = 256 * 1024 * 1024
const COMMITTED_READS_MAX = 4096
const CONSENSUS_META = 'consensus-state'
const IDLE_AFTER_MS = 5_000

export interface ChainOptions {
  readonly directory: string
  readonly genesis: Genesis
  readonly nodeKey: KeyPair
  readonly logger: Logger
  readonly clock?: () => number
  createEngine(context: EngineContext): ConsensusEngine
  /** Outbound consensus messages (multi-node chains); solo never sends. */
  readonly send?: (to: NodeId | 'broadcast', bytes: Uint8Array) => void
  /** A tx entered the mempool from a client (not from a peer): the node forwards it. */
  readonly onTxAdmitted?: (tx: Tx) => void
  /** The engine cannot catch up from consensus messages alone: fetch these blocks. */
  readonly onSyncRequest?: (request: SyncRequest) => void
  /**
   * Propose blocks as header + tx hashes (proposal.ts): for PBFT, whose replicas hold the txs
   * already. Default false: full blocks (Raft followers and solo apply what they are sent).
   */
  readonly compactProposals?: boolean
  /** Ask peers (preferably `peer`) for txs by hash; resolves with whatever tx bytes came back. */
  readonly fetchTxs?: (hashes: readonly string[], peer: NodeId | undefined) => Promise<Uint8Array[]>
  /** Milliseconds between consensus engine ticks (the driver calls `tick` more often). */
  readonly consensusTickMs?: number
  /** Tick the engine even with no pending txs and no recent consensus traffic (default true). */
  readonly tickWhenIdle?: boolean
  /**
   * A committed `nodes.add`/`nodes.remove` changed the node set: `validators` govern the next
   * height; `members` (validators and observers, with their P2P addresses) may connect.
   */
  readonly onValidatorsChanged?: (validators: readonly string[], members: readonly NodeMember[]) => void
  /** A block was committed (monitoring): its height, tx count, and each admitted tx's admission-to-commit latency. */
  readonly onBlockCommitted?: (event: BlockCommittedEvent) => void
  /** Opens the chain's ledger: at open, and again when resuming after a storage fault (tests inject faults here). */
  readonly openLedger?: (directory: string, logger: Logger) => Promise<Ledger>
  /** Throws while the ledger's disk does not take writes (default: halt.ts probeDirectory). */
  readonly probeStorage?: (directory: string) => Promise<void>
}

export interface BlockCommittedEvent {
  readonly height: number
  readonly txs: number
  /** Milliseconds from admission on this node to commit, for the block's txs this node admitted. */
  readonly latenciesMs: readonly number[]
}

/** What the node's engine factory gets: the engine options plus the chain's genesis. */
export interface EngineContext extends EngineOptions {
  readonly genesis: Genesis
}

export interface TxLocation {
  readonly txHash: string
  readonly height: number
  readonly index: number
  readonly status: 'ok' | 'failed'
}

export class Chain {
  readonly genesis: Genesis
  readonly genesisHash: Uint8Array
  private readonly roles: Map<string, Role>
  private readonly contracts: ReadonlyMap<string, SystemContract>
  private readonly mempool: Mempool
  private proposals: Proposals
  private readonly halt: ChainHalt
  private readonly committedReads = new Map<string, Uint8Array | undefined>()
  private readonly waiters = new TxWaiters<TxLocation>()
  private queue: Promise<void> = Promise.resolve()
  private engine!: ConsensusEngine
  private proposeHeight: number | undefined
  private lastEngineTickMs = 0
  private lastConsensusMessageMs = 0
  private lastBlockTimeMs: number
  /** State root and timestamp of the head block (what the next block builds on). */
  private tipState: {stateRoot: Uint8Array; timestamp: number} = {stateRoot: new Uint8Array(32), timestamp: 0}
  private closed = false

  private constructor(
    private readonly options: ChainOptions,
    private store: Ledger,
  ) {
    this.genesis = options.genesis
    this.genesisHash = genesisBlock(options.genesis).hash
    this.roles = new Map(options.genesis.accounts.map((account) => [account.address, account.role]))
    this.contracts = systemContractsOf(options.genesis)
    this.mempool = new Mempool({txsMax: options.genesis.params.mempoolTxsMax, bytesMax: MEMPOOL_BYTES_MAX})
    this.lastBlockTimeMs = this.now()
    this.halt = new ChainHalt(options.logger, () => this.now())
    this.proposals = this.createProposals()
  }

  /**
   * The chain's store. Maintenance (backup, archive) may read it; writes go through the chain.
   * Another instance after a resume from a storage fault: read it here each time, never keep it.
   */
  get ledger(): Ledger {
    return this.store
  }

  private createProposals(): Proposals {
    const options = this.options
    return new Proposals({
      genesis: this.genesis,
      ledger: this.store,
      mempool: this.mempool,
      logger: options.logger,
      proposer: options.nodeKey.publicKey,
      compact: options.compactProposals === true,
      fetchTxs: options.fetchTxs,
      head: () => this.head(),
      tip: () => this.tipState,
      now: () => this.now(),
      rules: () => this.rules(),
      environment: () => this.environment(),
      restep: (from, bytes) => this.step(from, bytes),
    })
  }

  private static openLedger(options: ChainOptions): Promise<Ledger> {
    return options.openLedger !== undefined ? options.openLedger(options.directory, options.logger) : Ledger.open(options.directory, {logger: options.logger})
  }

  static async open(options: ChainOptions): Promise<Chain> {
    const ledger = await Chain.openLedger(options)
    try {
      const chain = new Chain(options, ledger)
      await chain.initialise()
      return chain
    } catch (error) {
      await ledger.close()
      throw error
    }
  }

  private async initialise(): Promise<void> {
    const genesis = genesisBlock(this.genesis)
    const head = this.ledger.head()
    if (head === undefined) {
      await this.ledger.commitBlock({block: genesis, receipts: [], certificate: null, stateWrites: []})
    } else {
      const stored = await this.ledger.getBlock(0)
      if (stored === undefined || !bytesEqual(stored.hash, genesis.hash)) {
        throw new WichainError('CORRUPT_DATA', `chain data in ${this.options.directory} belongs to another genesis`)
      }
    }
    const current = this.ledger.head()!
    const headBlock = await this.ledger.getBlock(current.height)
    if (headBlock === undefined) throw new WichainError('CORRUPT_DATA', `head block ${current.height} is missing`)
    this.tipState = {stateRoot: headBlock.header.stateRoot, timestamp: headBlock.header.timestamp}
    this.engine = this.options.createEngine({
      genesis: this.genesis,
      crypto: this.consensusCrypto(),
      application: {
        validate: (height, payload) => this.proposals.validate(height, payload),
        digest: (payload) => this.proposals.digest(payload),
        expand: (payload) => this.proposals.expand(payload),
      },
      // The set the last committed block left, so a restart after a `nodes` change resumes with it.
      validators: this.validators(),
      lastCommitted: {height: current.height, blockHash: current.hash},
      persisted: await this.ledger.getMeta(CONSENSUS_META),
    })
  }

  private consensusCrypto(): ConsensusCrypto {
    const {privateKey, publicKey} = this.options.nodeKey
    return {
      self: toHex(publicKey),
      sign: (message) => sign(privateKey, message, publicKey),
      verify: (signer, message, signature) => fastVerify(fromHex(signer), message, signature),
      hash: (data) => sm3(data),
    }
  }

  /** Txs by hash for a peer resolving a compact proposal: at most `bytesMax` bytes past the first. */
  txsByHash(hashes: readonly string[], bytesMax = Number.MAX_SAFE_INTEGER): Promise<Uint8Array[]> {
    return this.proposals.txsByHash(hashes, bytesMax)
  }

  get chainId(): string {
    return this.genesis.chainId
  }

  private now(): number {
    return (this.options.clock ?? Date.now)()
  }

  private environment(): ExecutionEnvironment {
    return {
      chainId: this.chainId,
      contracts: this.contracts,
      roleOf: (address) => this.roles.get(address),
      readState: (key) => this.ledger.getState(key),
    }
  }

  head(): {height: number; hash: Uint8Array} {
    return this.ledger.head()!
  }

  private enqueue<T>(task: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(task)
    this.queue = run.then(
      () => undefined,
      () => undefined,
    )
    return run
  }

  /**
   * Run a driver task (tick, consensus step, synced block) on the queue unless the chain is closed
   * or halted; anything it throws halts the chain (never rethrown: no caller retries a fault).
   */
  private drive<T>(idle: T, task: () => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      if (this.closed || this.halt.record !== undefined) return idle
      try {
        return await task()
      } catch (error) {
        this.onFault(error)
        return idle
      }
    })
  }

  private onFault(error: unknown): void {
    this.halt.fault(error, this.head().height)
    this.proposeHeight = undefined
    // Waiting clients learn of the halt now (waitForTx answers CHAIN_HALTED), not at their timeout.
    this.waiters.rejectAll()
  }

  /** Why the chain halted, while it is halted. */
  halted(): HaltRecord | undefined {
    return this.halt.record
  }

  /** Admit a tx given as canonical bytes. Returns its hash (the certificate). */
  async submitTx(bytes: Uint8Array, options: {fromPeer?: boolean} = {}): Promise<string> {
    if (this.closed) throw new WichainError('UNAVAILABLE', 'chain is shutting down')
    if (this.halt.record !== undefined) throw this.halt.error(`tx refused on chain "${this.chainId}"`)
    const tx = decodeTx(bytes)
    // Cheap before costly: a tx we already hold (forwarded twice, fetched) skips the SM2 verify.
    if (this.mempool.has(tx.hashHex)) throw new WichainError('DUPLICATE_TX', `tx ${tx.hashHex} is already pending`)
    checkTxForBlock(this.rules(), tx, this.head().height + 1, {verifySignature: true})
    // Synchronous from the replay check to the insert, so admission needs no place on the serial
    // queue (where it would wait behind block commits and their fsync). No window lets a tx slip
    // in twice: a committed block's txs leave the mempool only after its batch has landed, and
    // any tx admitted while that batch is in flight is removed with the block.
    if (this.mempool.has(tx.hashHex) || this.ledger.hasTxSync(tx.hash)) {
      throw new WichainError('DUPLICATE_TX', `tx ${tx.hashHex} is already known`)
    }
    this.mempool.add(tx, this.now())
    if (options.fromPeer !== true) this.options.onTxAdmitted?.(tx)
    return tx.hashHex
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

  private rules(): AdmissionRules {
    return {
      chainId: this.chainId,
      txExpiryWindow: this.genesis.params.txExpiryWindow,
      roleOf: (address: string) => this.roles.get(address),
      // Disabled accounts (the `accounts` contract) are refused with ACCOUNT_DISABLED.
      readState: (key: Uint8Array) => this.readCommitted(key),
    }
  }

  /** Called by the node's timer. While halted on a storage fault, probes the disk when due. */
  tick(): Promise<void> {
    if (this.halt.record !== undefined) return this.enqueue(() => this.whileHalted())
    return this.drive(undefined, async () => {
      const now = this.now()
      // An idle PBFT chain does not tick its engine: it would otherwise time out views with nothing
      // to agree on, and its backed-off timeouts would then delay the next real tx. Work is a
      // pending tx here, or consensus traffic from peers in the last few seconds.
      const busy = this.options.tickWhenIdle !== false || this.mempool.size > 0 || now - this.lastConsensusMessageMs < IDLE_AFTER_MS
      if (busy && now - this.lastEngineTickMs >= (this.options.consensusTickMs ?? 0)) {
        this.lastEngineTickMs = now
        this.engine.tick()
      }
      this.maybePropose()
      await this.drainReady()
    })
  }

  /** One driver tick while halted: the reminder line, and the disk probe when due. */
  private async whileHalted(): Promise<void> {
    if (this.closed || !this.halt.due()) return
    try {
      await (this.options.probeStorage ?? probeDirectory)(this.options.directory)
    } catch (error) {
      this.halt.probeFailed(error)
      return
    }
    await this.resumeAfterStorageFault()
  }

  /**
   * The disk takes writes again. The ledger refuses writes after a failed one (that batch's
   * outcome is unknown until reopened), so reopen it: its head — h or h+1, a batch lands whole or
   * not at all — is authoritative. Rebuild what derives from it (the engine from the persisted
   * consensus state, proposals, caches) and drop from the mempool what the head now holds.
   */
  private async resumeAfterStorageFault(): Promise<void> {
    const previousHeight = this.head().height
    try {
      await this.store.close()
    } catch (error) {
      // The reopen below is what matters; LevelDB releases its lock even when a close fails.
      this.options.logger.debug('closing the failed ledger', {error: (error as Error).message})
    }
    try {
      this.store = await Chain.openLedger(this.options)
      this.proposals = this.createProposals()
      this.committedReads.clear()
      await this.initialise()
      await this.forgetCommittedSince(previousHeight)
    } catch (error) {
      if (toWichainError(error).code === 'STORAGE_ERROR') this.halt.probeFailed(error)
      else this.halt.becomePermanent(error)
      return
    }
    this.proposeHeight = undefined
    this.lastEngineTickMs = 0
    this.lastBlockTimeMs = this.now()
    this.halt.resumed({height: this.head().height, pendingTxs: this.mempool.size})
  }

  /** Blocks the reopened ledger holds above `height` (the batch that failed did land): settle their txs. */
  private async forgetCommittedSince(height: number): Promise<void> {
    const head = this.head().height
    for (let next = height + 1; next <= head; next++) {
      const block = await this.ledger.getBlock(next)
      if (block === undefined) continue
      this.mempool.remove(block.txs.map((tx) => tx.hashHex))
      this.options.onBlockCommitted?.({height: next, txs: block.txs.length, latenciesMs: []})
    }
    this.mempool.pruneExpired(head + 1)
    if (head > height) this.options.onValidatorsChanged?.(this.validators(), this.members())
  }

  /** A consensus message from a peer. */
  step(from: NodeId, bytes: Uint8Array): Promise<void> {
    return this.drive(undefined, async () => {
      this.lastConsensusMessageMs = this.now()
      this.proposals.stepping = {from, bytes}
      try {
        this.engine.step(from, bytes)
      } finally {
        this.proposals.stepping = undefined
      }
      await this.drainReady()
    })
  }

  private maybePropose(): void {
    const height = this.proposeHeight
    if (height === undefined || height !== this.head().height + 1 || this.mempool.size === 0) return
    const batchFull = this.mempool.size >= this.genesis.params.blockTxsMax
    if (!batchFull && this.now() - this.lastBlockTimeMs < this.genesis.params.blockIntervalMs) return
    const built = this.proposals.build(height)
    if (built === undefined) return
    this.proposeHeight = undefined
    this.options.logger.debug('proposing', {height, txs: built.block.txs.length, hash: built.block.hashHex})
    this.engine.propose(height, built.payload)
  }

  private async drainReady(): Promise<void> {
    while (this.engine.hasReady()) {
      const ready: Ready = this.engine.ready()
      if (ready.persist !== undefined) await this.ledger.putMeta(CONSENSUS_META, ready.persist)
      for (const message of ready.messages) this.options.send?.(message.to, message.bytes)
      for (const committed of ready.committed) await this.applyCommitted(committed.height, committed.payload, committed.certificate)
      if (ready.proposeHeight !== undefined) this.proposeHeight = ready.proposeHeight
      if (ready.syncRequest !== undefined) this.options.onSyncRequest?.(ready.syncRequest)
      this.engine.advance(ready)
    }
  }

  private async applyCommitted(height: number, payload: Uint8Array, certificate: CommitCertificate): Promise<void> {
    const head = this.head()
    if (height <= head.height) return
    const {block, execution} = await this.proposals.executedFor(height, payload)
    await this.ledger.commitBlock({block, receipts: execution.receipts, certificate, stateWrites: execution.writes})
    this.halt.committed()
    this.committedReads.clear()
    this.tipState = {stateRoot: block.header.stateRoot, timestamp: block.header.timestamp}
    this.lastBlockTimeMs = this.now()
    this.proposals.onCommitted(block)
    const committedAt = this.now()
    const latenciesMs: number[] = []
    for (const tx of block.txs) {
      const admittedAt = this.mempool.admittedAt(tx.hashHex)
      if (admittedAt !== undefined) latenciesMs.push(committedAt - admittedAt)
    }
    this.mempool.remove(block.txs.map((tx) => tx.hashHex))
    this.mempool.pruneExpired(height + 1)
    block.txs.forEach((tx, index) => {
      const receipt = execution.receipts[index]!
      this.waiters.resolve(tx.hashHex, {txHash: tx.hashHex, height, index, status: receipt.status})
    })
    this.reconfigureAfter(height, block.txs, execution.receipts)
    this.options.onBlockCommitted?.({height, txs: block.txs.length, latenciesMs})
    this.options.logger.debug('block committed', {chainId: this.chainId, height, txs: block.txs.length, hash: block.hashHex})
  }

  /**
   * A committed block with an ok `nodes.add`/`remove` changes the validators of the next height.
   * Runs while the block is applied, before the driver's `advance`, as the engine requires.
   */
  private reconfigureAfter(height: number, txs: readonly Tx[], receipts: BlockExecution['receipts']): void {
    const changed = txs.some(
      (tx, index) => tx.body.contract === NODES_CONTRACT_NAME && NODES_CHANGE_METHODS.has(tx.body.method) && receipts[index]?.status === 'ok',
    )
    if (!changed) return
    const members = this.members()
    const validators = validatorsOf(members)
    this.engine.reconfigure(height + 1, validators)
    this.options.logger.info('validator set changed', {chainId: this.chainId, fromHeight: height + 1, validators: validators.length, members: members.length})
    this.options.onValidatorsChanged?.(validators, members)
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
   * A block fetched by block sync. The engine accepts it only as the next height with a valid
   * certificate for that height's validators; returns whether it was applied.
   */
  async applySynced(block: CommittedBlock): Promise<boolean> {
    const applied = await this.drive(false, async () => {
      if (block.height !== this.head().height + 1) return false
      const accepted = this.engine.stepCommitted(block)
      await this.drainReady()
      return accepted && this.head().height >= block.height
    })
    // A halted chain applies nothing: say why instead of "refused" (restore replays through here).
    if (!applied && this.halt.record !== undefined) throw this.halt.error(`block ${block.height} not applied`)
    return applied
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
      txExpiryWindow: this.genesis.params.txExpiryWindow,
      role: engine.role,
      round: engine.round,
      leader: engine.leader,
      mempool: {txs: this.mempool.size, bytes: this.mempool.sizeBytes},
      state: (this.halt.record === undefined ? 'running' : 'halted') as 'running' | 'halted',
      /** Why and when the chain stopped, while it is halted; null while it runs. */
      halted: this.halt.record === undefined ? null : {...this.halt.record},
      /** Faults (halts) since the node started, by error code. */
      faults: this.halt.faults(),
    }
  }

  /** Stop accepting work, finish the queue, flush and close the store. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.enqueue(() => undefined)
    this.waiters.rejectAll()
    await this.ledger.close()
  }
}
