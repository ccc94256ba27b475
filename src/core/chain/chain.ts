/**
 * One business chain on one node: ledger + mempool + executor + a consensus engine, driven in
 * the engine's order (persist, then send, then apply). All state changes — consensus steps,
 * block commits, ticks — run on one serial queue, so the ledger, the mempool and the engine never
 * see interleaved updates. Admission (decode, SM2 verify, the final replay check) runs off the
 * queue, synchronously from its last check to the mempool insert.
 *
 * Owns: the driver (tick/step/drain on the serial queue), commits, admission. Does not own: the
 * queue's bounds (serial-queue.ts: peers' messages are dropped when it is full), reads, status and
 * the chain's identity (reads.ts: `Chain` extends `ChainReads`), building and validating proposals
 * (proposals.ts), opening the store (open.ts), the halt record and the resume sequence (halt.ts).
 *
 * Fail-stop (halt.ts): anything thrown while the queue drives the engine or commits halts the
 * chain — it is not driven again, refuses txs with CHAIN_HALTED, keeps answering reads. A halt
 * on a storage fault probes the disk on the driver's ticks and, once it takes writes, reopens the
 * ledger, rebuilds the engine from the persisted consensus state and resumes; pending txs stay in
 * the mempool across it.
 */
import type {CommittedBlock, NodeId, Ready} from '../consensus/engine.js'
import {WichainError} from '../errors.js'
import type {Ledger} from '../ledger/index.js'
import {authorizeAtAdmission} from './consortium/enforce.js'
import {CHAIN_QUEUE_STEP_BYTES_MAX, CHAIN_QUEUE_TASKS_MAX, REFORWARD_TXS_PER_SECOND_MAX} from '../limits.js'
import type {CommitCertificate} from '../types/certificate.js'
import {decodeTx, type Tx} from '../types/tx.js'
import {checkTxForBlock} from './admission.js'
import {validatorsOf} from './contracts/nodes.js'
import type {BlockExecution} from './executor.js'
import {probeDirectory, type ResumeHost} from './halt.js'
import {checkStore, consensusCryptoOf, openLedger, reopenLedger, type Tip} from './open.js'
import type {ChainOptions} from './options.js'
import {Proposals} from './proposals.js'
import {ChainReads} from './reads.js'
import {SerialQueue, type SerialQueueStatus} from './serial-queue.js'
import {changesNodeSet, settleCommitted, settleReopened, type SettleHost} from './settle.js'

export type {BlockCommittedEvent, ChainOptions, EngineContext, TxLocation} from './options.js'

const CONSENSUS_META = 'consensus-state'
const IDLE_AFTER_MS = 5_000

export class Chain extends ChainReads {
  private proposals: Proposals
  private readonly queue = new SerialQueue({tasksMax: CHAIN_QUEUE_TASKS_MAX, stepBytesMax: CHAIN_QUEUE_STEP_BYTES_MAX})
  private proposeHeight: number | undefined
  private lastEngineTickMs = 0
  private lastReforwardMs = 0
  private lastConsensusMessageMs = 0
  private lastBlockTimeMs: number
  /** State root and timestamp of the head block (what the next block builds on). */
  private tipState: Tip = {stateRoot: new Uint8Array(32), timestamp: 0}
  private closed = false

  private constructor(options: ChainOptions, store: Ledger) {
    super(options, store)
    this.lastBlockTimeMs = this.now()
    this.proposals = this.createProposals()
  }

  static async open(options: ChainOptions): Promise<Chain> {
    const ledger = await openLedger(options)
    try {
      const chain = new Chain(options, ledger)
      await chain.initialise()
      return chain
    } catch (error) {
      await ledger.close()
      throw error
    }
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
      params: () => this.params(),
      environment: () => this.environment(),
      restep: (from, bytes) => this.step(from, bytes),
    })
  }

  /** Checks the store (genesis, head), then builds the engine on its head. */
  private async initialise(): Promise<void> {
    const {head, tip} = await checkStore(this.options, this.ledger)
    this.tipState = tip
    this.engine = this.options.createEngine({
      genesis: this.genesis,
      crypto: consensusCryptoOf(this.options.nodeKey),
      application: {
        validate: (height, payload) => this.proposals.validate(height, payload),
        digest: (payload) => this.proposals.digest(payload),
        expand: (payload) => this.proposals.expand(payload),
      },
      // The set the last committed block left, so a restart after a `nodes` change resumes with it.
      validators: this.validators(),
      lastCommitted: {height: head.height, blockHash: head.hash},
      persisted: await this.ledger.getMeta(CONSENSUS_META),
    })
  }

  /** Txs by hash for a peer resolving a compact proposal: at most `bytesMax` bytes past the first. */
  txsByHash(hashes: readonly string[], bytesMax = Number.MAX_SAFE_INTEGER): Promise<Uint8Array[]> {
    return this.proposals.txsByHash(hashes, bytesMax)
  }

  /**
   * A driver task (tick, consensus step, synced block) for the queue: skipped once the chain is
   * closed or halted; anything it throws halts the chain (never rethrown: no caller retries a fault).
   */
  private guarded<T>(idle: T, task: () => Promise<T>): () => Promise<T> {
    return async () => {
      if (this.closed || this.halt.record !== undefined) return idle
      try {
        return await task()
      } catch (error) {
        this.onFault(error)
        return idle
      }
    }
  }

  private onFault(error: unknown): void {
    this.halt.fault(error, this.head().height)
    this.proposeHeight = undefined
    // Waiting clients learn of the halt now (waitForTx answers CHAIN_HALTED), not at their timeout.
    this.waiters.rejectAll()
  }

  /** Admit a tx given as canonical bytes. Returns its hash (the certificate). */
  async submitTx(bytes: Uint8Array, options: {fromPeer?: boolean} = {}): Promise<string> {
    if (this.closed) throw new WichainError('UNAVAILABLE', 'chain is shutting down')
    if (this.halt.record !== undefined) throw this.halt.error(`tx refused on chain "${this.chainId}"`)
    const tx = decodeTx(bytes)
    // Cheap before costly: a tx we already hold (forwarded twice, fetched) skips the SM2 verify.
    if (this.mempool.has(tx.hashHex)) {
      // A client resending a pending tx may have seen it go nowhere (its forward lost): send it on again.
      if (options.fromPeer !== true) this.mempool.forwardSoon(tx.hashHex, this.now())
      throw new WichainError('DUPLICATE_TX', `tx ${tx.hashHex} is already pending`)
    }
    checkTxForBlock(this.rules(), tx, this.head().height + 1, {verifySignature: true})
    // Version 2: the sender's policy check the executor will make, now (refused at once).
    if (this.genesis.version === 2) authorizeAtAdmission(this.directory(), this.contracts, tx, this.head().height + 1)
    // Synchronous from the replay check to the insert, so admission needs no place on the serial
    // queue (where it would wait behind block commits and their fsync). No window lets a tx slip
    // in twice: a committed block's txs leave the mempool only after its batch has landed, and
    // any tx admitted while that batch is in flight is removed with the block.
    if (this.mempool.has(tx.hashHex) || this.ledger.hasTxSync(tx.hash)) {
      throw new WichainError('DUPLICATE_TX', `tx ${tx.hashHex} is already known`)
    }
    this.mempool.add(tx, this.now(), options.fromPeer !== true)
    if (options.fromPeer !== true) this.options.onTxAdmitted?.(tx)
    return tx.hashHex
  }

  /**
   * Called by the node's timer; joins a tick already waiting on the queue. While halted on a
   * storage fault, probes the disk when due.
   */
  tick(): Promise<void> {
    return this.queue.tick(async () => {
      if (this.closed) return
      if (this.halt.record !== undefined) return this.halt.tickHalted(this.resumeHost())
      await this.guarded(undefined, () => this.driveTick())()
    })
  }

  private async driveTick(): Promise<void> {
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
    this.reforward(now)
    await this.drainReady()
  }

  /** Client txs still pending here go to the peers again, on a backoff (mempool.dueForForward). */
  private reforward(now: number): void {
    const forward = this.options.onTxAdmitted
    if (forward === undefined || now - this.lastReforwardMs < 1_000) return
    this.lastReforwardMs = now
    for (const tx of this.mempool.dueForForward(now, REFORWARD_TXS_PER_SECOND_MAX)) forward(tx)
  }

  /**
   * A consensus message from a peer. Dropped (and counted in status `queue.dropped`) while the
   * serial queue is full: the sender retransmits what matters.
   */
  step(from: NodeId, bytes: Uint8Array): Promise<void> {
    const queued = this.queue.offer(
      bytes.length,
      this.guarded(undefined, async () => {
        this.lastConsensusMessageMs = this.now()
        this.proposals.stepping = {from, bytes}
        try {
          this.engine.step(from, bytes)
        } finally {
          this.proposals.stepping = undefined
        }
        await this.drainReady()
      }),
    )
    if (queued !== undefined) return queued
    this.options.logger.warn('consensus message dropped: the chain queue is full', {from: from.slice(0, 16), messageBytes: bytes.length, ...this.queue.status()})
    return Promise.resolve()
  }

  /**
   * A block fetched by block sync. The engine accepts it only as the next height with a valid
   * certificate for that height's validators; returns whether it was applied.
   */
  async applySynced(block: CommittedBlock): Promise<boolean> {
    const applied = await this.queue.run(
      this.guarded(false, async () => {
        if (block.height !== this.head().height + 1) return false
        const accepted = this.engine.stepCommitted(block)
        await this.drainReady()
        return accepted && this.head().height >= block.height
      }),
    )
    // A halted chain applies nothing: say why instead of "refused" (restore replays through here).
    if (!applied && this.halt.record !== undefined) throw this.halt.error(`block ${block.height} not applied`)
    return applied
  }

  private maybePropose(): void {
    const height = this.proposeHeight
    if (height === undefined || height !== this.head().height + 1 || this.mempool.size === 0) return
    const params = this.params()
    const batchFull = this.mempool.size >= params.blockTxsMax
    if (!batchFull && this.now() - this.lastBlockTimeMs < params.blockIntervalMs) return
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
    if (height <= this.head().height) return
    const {block, execution} = await this.proposals.executedFor(height, payload)
    await this.ledger.commitBlock({block, receipts: execution.receipts, certificate, stateWrites: execution.writes})
    this.halt.committed()
    this.forgetCommittedReads()
    this.tipState = {stateRoot: block.header.stateRoot, timestamp: block.header.timestamp}
    this.lastBlockTimeMs = this.now()
    this.proposals.onCommitted(block)
    const event = settleCommitted(this.settleHost(), block, execution.receipts)
    this.reconfigureAfter(height, block.txs, execution.receipts)
    this.options.onBlockCommitted?.(event)
    this.options.logger.debug('block committed', {chainId: this.chainId, height, txs: block.txs.length, hash: block.hashHex})
  }

  /**
   * A committed block with an ok `nodes.add`/`remove` changes the validators of the next height.
   * Runs while the block is applied, before the driver's `advance`, as the engine requires.
   */
  private reconfigureAfter(height: number, txs: readonly Tx[], receipts: BlockExecution['receipts']): void {
    if (!changesNodeSet(txs, receipts)) return
    const members = this.members()
    const validators = validatorsOf(members)
    this.engine.reconfigure(height + 1, validators)
    this.options.logger.info('validator set changed', {chainId: this.chainId, fromHeight: height + 1, validators: validators.length, members: members.length})
    this.options.onValidatorsChanged?.(validators, members)
  }

  private settleHost(): SettleHost {
    return {mempool: this.mempool, waiters: this.waiters, now: () => this.now()}
  }

  /** The chain's side of resuming after a storage fault (halt.ts `tickHalted` runs the sequence). */
  private resumeHost(): ResumeHost {
    return {
      probeStorage: () => (this.options.probeStorage ?? probeDirectory)(this.options.directory),
      height: () => this.head().height,
      reopenLedger: async () => {
        this.store = await reopenLedger(this.options, this.store)
        this.proposals = this.createProposals()
        this.forgetCommittedReads()
        await this.initialise()
      },
      settleCommittedSince: async (height) => {
        const events = await settleReopened(this.settleHost(), this.ledger, height)
        for (const event of events) this.options.onBlockCommitted?.(event)
        if (events.length > 0) this.options.onValidatorsChanged?.(this.validators(), this.members())
      },
      restartDriver: () => {
        this.proposeHeight = undefined
        this.lastEngineTickMs = 0
        this.lastBlockTimeMs = this.now()
        return {height: this.head().height, pendingTxs: this.mempool.size}
      },
    }
  }

  protected queueStatus(): SerialQueueStatus {
    return this.queue.status()
  }

  /** Stop accepting work, finish the queue, flush and close the store. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.queue.run(() => undefined)
    this.waiters.rejectAll()
    await this.ledger.close()
  }
}
