/**
 * One whole-node run: N real nodes (sim/node.ts) over the simulated network, clock and disk, client
 * txs, the scenario's fault schedule, then healing and the checks (checks.ts). Deterministic: the
 * only randomness is the seed's, virtual time advances only by popping the next event, and after
 * each event the loop waits until the real event loop is idle (idle.ts: LevelDB work done on its
 * threads, every released promise run), so thread timing cannot reorder anything. A failure throws
 * WholeNodeFailure carrying the replay (seed, scenario, schedule).
 *
 * Disk: the real Ledger over an in-memory store per node (memory-store.ts, injected through
 * LedgerOptions.openDatabase) with LevelDB's guarantees (atomic batches, snapshot iterators, the
 * lock): no thread round trip per read or write, and a snapshot is a copy of a map. The consensus
 * signatures are cheap but real SM2 (crypto.ts). Per-process caches (keys, genesis txs, signed tx
 * pools, nonce pool, verify memo) are shared by every run of the process.
 */
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {SimRandom} from '../consensus/sim/random.js'
import type {LogLevel} from '../log.js'
import {compareStores, converged, SafetyLog} from './checks.js'
import {VirtualClock} from './clock.js'
import {addNodeTx, NODE_IDS, NODE_KEYS, simGenesis, txPool} from './fixture.js'
import {idleMark, trackIdle, untilIdle, untrackIdle} from './idle.js'
import {SimLog} from './log.js'
import {SimNetwork} from './network.js'
import {MemoryDisk} from './memory-store.js'
import {INJECTED_DISK_FAULT, SimNode} from './node.js'
import {saveReplay, type ReplayFile} from './replay.js'
import {wholeNodeScenario, type FaultAction, type ScenarioOverrides, type WholeNodeScenario} from './scenarios.js'

export interface WholeNodeRunOptions {
  readonly seed: number
  readonly scenario: string
  /** Changes to the named scenario's numbers (saved in the replay too). */
  readonly overrides?: ScenarioOverrides
  /** A replay's fault schedule; default: the scenario's plan for the seed. */
  readonly schedule?: readonly FaultAction[]
  readonly logLevel?: LogLevel
  /** Where a failing run saves its replay file (nothing saved when absent). */
  readonly replayDirectory?: string
  /** Collects every traced event as text (to find where two runs of one seed diverge). */
  readonly traceLines?: string[]
}

export interface WholeNodeResult {
  readonly seed: number
  readonly scenario: string
  /** Fingerprint of every delivery, commit and action: equal for two runs of one replay. */
  readonly trace: string
  readonly heights: readonly number[]
  readonly txs: number
  readonly virtualMs: number
  readonly events: number
}

export class WholeNodeFailure extends Error {
  constructor(
    message: string,
    readonly replay: ReplayFile,
    readonly savedTo: string | undefined,
    /** The run's trace up to the failure: a replay of it fails with the same trace. */
    readonly trace: string,
  ) {
    super(message)
  }
}

const RESUBMIT_MS = 1500
const CONVERGE_CHECK_MS = 100

export async function runWholeNode(options: WholeNodeRunOptions): Promise<WholeNodeResult> {
  const scenario = {...wholeNodeScenario(options.scenario), ...options.overrides}
  const random = new SimRandom(options.seed)
  // Forked even when a replay brings its schedule, so every later stream is the original run's.
  const planRandom = random.fork()
  const schedule = options.schedule ?? scenario.plan(planRandom)
  const run = new Run(scenario, options.seed, random, options.logLevel ?? 'info', options.traceLines)
  trackIdle()
  try {
    return await run.execute(schedule)
  } catch (error) {
    const message = `whole-node ${scenario.name} seed ${options.seed}: ${(error as Error).message}\n--- last log lines ---\n${run.log.tail()}`
    const replay: ReplayFile = {
      version: 1,
      seed: options.seed,
      scenario: scenario.name,
      ...(options.overrides === undefined ? {} : {overrides: options.overrides}),
      schedule: [...schedule],
      failure: (error as Error).message.slice(0, 2000),
    }
    const savedTo = options.replayDirectory === undefined ? undefined : saveReplay(options.replayDirectory, replay)
    throw new WholeNodeFailure(message, replay, savedTo, run.network.trace)
  } finally {
    await run.close()
    untrackIdle()
  }
}

class Run {
  readonly clock = new VirtualClock()
  readonly log: SimLog
  readonly network: SimNetwork
  private readonly nodes: SimNode[]
  /** The nodes' stores (memory-store.ts); `directory` only names them (and holds no archive). */
  private readonly disk = new MemoryDisk()
  private readonly directory = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'wichain-sim-'))
  private readonly safety = new SafetyLog()
  /** Txs a client sent (hash → bytes, last attempt), retried until committed. */
  private readonly submitted = new Map<string, {bytes: Uint8Array; lastAt: number}>()
  /** Nodes that should be running (the rest crashed, died of a disk fault, or were never started). */
  private readonly shouldRun = new Set<number>()
  private readonly everStarted = new Set<number>()
  /**
   * Start/crash/snapshot operations, one at a time over all nodes: two stores opening at once would
   * finish in thread order, and the order nodes arm their timers in must not depend on that.
   */
  private ops: Promise<void> = Promise.resolve()
  private failure: string | undefined
  private events = 0
  private readonly clientRandom: SimRandom

  constructor(
    private readonly scenario: WholeNodeScenario,
    readonly seed: number,
    random: SimRandom,
    logLevel: LogLevel,
    traceLines: string[] | undefined,
  ) {
    this.log = new SimLog(() => this.clock.now(), logLevel, traceLines)
    this.network = new SimNetwork({clock: this.clock, random: random.fork(), faults: scenario.faults, messageBytesMax: scenario.messageBytesMax})
    this.network.traceLines = traceLines
    this.clientRandom = random.fork()
    const genesis = simGenesis({consensus: scenario.engine, validators: scenario.validators, blockTxsMax: scenario.blockTxsMax, blockIntervalMs: scenario.blockIntervalMs})
    const configuredPeers = NODE_IDS.slice(0, scenario.validators)
    this.nodes = Array.from({length: scenario.nodes}, (_, index) => {
      return new SimNode({
        index,
        key: NODE_KEYS[index]!,
        genesis,
        directory: join(this.directory, `node${index}`),
        disk: this.disk,
        clock: this.clock,
        network: this.network,
        random: random.fork(),
        configuredPeers,
        tickMs: scenario.tickMs,
        logger: this.log.logger({node: index}),
        byzantine: scenario.byzantine === index,
        onCommitted: (node, height, hash) => {
          this.network.mix('commit', node, height)
          if (node === scenario.byzantine) return
          this.fail(this.safety.record(node, height, hash))
        },
        onFault: (node, error) => this.onFault(node, error),
      })
    })
  }

  private fail(problem: string | undefined): void {
    if (problem !== undefined && this.failure === undefined) {
      this.failure = problem
      this.log.note(`FAILURE ${problem}`)
    }
  }

  /** An error escaped a chain: an injected disk fault kills the node (it restarts after healing); anything else is a bug. */
  private onFault(node: number, error: unknown): void {
    const message = (error as Error)?.message ?? String(error)
    if (message.includes(INJECTED_DISK_FAULT)) {
      this.log.note(`node${node} died of the disk fault`)
      this.act({at: this.clock.now(), kind: 'crash', node})
      return
    }
    this.fail(`node${node}: an error escaped the chain (a node process would die of it): ${(error as Error)?.stack ?? message}`)
  }

  private spawn(label: string, work: Promise<unknown>): void {
    work.catch((error: unknown) => this.fail(`${label}: ${(error as Error)?.stack ?? String(error)}`))
  }

  private nodeOp(node: number, label: string, op: () => Promise<void>): void {
    const next = this.ops.then(op)
    this.ops = next.catch(() => undefined)
    this.spawn(`node${node} ${label}`, next)
  }

  private act(action: FaultAction): void {
    this.network.mix('act', action.kind, 'node' in action ? action.node : -1)
    this.log.note(`action ${JSON.stringify(action)}`)
    switch (action.kind) {
      case 'crash':
        this.shouldRun.delete(action.node)
        return this.nodeOp(action.node, 'crash', () => this.nodes[action.node]!.crash())
      case 'restart':
      case 'start':
        this.shouldRun.add(action.node)
        this.everStarted.add(action.node)
        return this.nodeOp(action.node, 'start', () => this.nodes[action.node]!.start())
      case 'disk-fail':
      case 'disk-heal':
        this.nodes[action.node]!.diskFailing = action.kind === 'disk-fail'
        return
      case 'snapshot':
        return this.nodeOp(action.node, 'snapshot', () => this.nodes[action.node]!.snapshot())
      case 'restore-old':
        this.shouldRun.add(action.node)
        return this.nodeOp(action.node, 'restore', () => this.nodes[action.node]!.restoreOld())
      case 'partition':
        return this.network.partition(action.groups.map((group) => group.map((node) => NODE_IDS[node]!)))
      case 'heal-partition':
        return this.network.heal()
      case 'add-node': {
        const tx = addNodeTx(action.node, action.role)
        this.submitted.set(tx.hashHex, {bytes: tx.bytes, lastAt: -Infinity})
        return this.submit(tx.hashHex)
      }
    }
  }

  private honest(): SimNode[] {
    return this.nodes.filter((node) => node.running && node.options.index !== this.scenario.byzantine)
  }

  private submit(hash: string): void {
    const entry = this.submitted.get(hash)!
    const targets = this.honest()
    if (targets.length === 0) return
    entry.lastAt = this.clock.now()
    const chain = this.clientRandom.pick(targets).chain!
    chain.submitTx(entry.bytes).catch(() => undefined)
  }

  private committedSomewhere(hash: string): boolean {
    const bytes = Buffer.from(hash, 'hex')
    return this.honest().some((node) => node.chain!.ledger.hasTxSync(bytes))
  }

  private resubmit(): void {
    for (const [hash, entry] of this.submitted) {
      if (this.clock.now() - entry.lastAt >= RESUBMIT_MS && !this.committedSomewhere(hash)) this.submit(hash)
    }
  }

  private scheduleClients(): void {
    const txs = txPool(this.scenario.txs, this.scenario.padBytes)
    const phase = this.scenario.faultPhaseMs
    txs.forEach((tx, index) => {
      const at = this.scenario.padBytes > 0 ? 200 + Math.floor(index / 40) * 150 : this.clientRandom.between(50, Math.floor(phase * 0.8))
      this.clock.schedule(at, () => {
        this.submitted.set(tx.hashHex, {bytes: tx.bytes, lastAt: -Infinity})
        this.submit(tx.hashHex)
      })
    })
    this.clock.timers().setInterval(() => this.resubmit(), RESUBMIT_MS)
  }

  /** Everything heals: network faults off, partitions gone, disks fixed, every node that ran and is down restarted. */
  private heal(): void {
    this.log.note('heal')
    this.network.options.faults = {...this.scenario.faults, dropRate: 0, resetRate: 0, duplicateRate: 0, reorderRate: 0}
    this.network.heal()
    for (const node of this.nodes) {
      const index = node.options.index
      node.diskFailing = false
      if (!this.everStarted.has(index)) continue
      // A chain halted on the disk fault is left alone: it must resume by itself once the disk heals.
      if (!node.running || !this.shouldRun.has(index)) this.act({at: this.clock.now(), kind: 'restart', node: index})
    }
  }

  /** Pops and runs events until `until` (virtual) or `done`; false when the time ran out. */
  private async loop(until: number, done: () => boolean = () => false): Promise<boolean> {
    let nextCheck = 0
    for (;;) {
      if (this.failure !== undefined) throw new Error(this.failure)
      if (this.clock.now() >= nextCheck) {
        nextCheck = this.clock.now() + CONVERGE_CHECK_MS
        if (done()) return true
      }
      const callback = this.clock.popUntil(until)
      if (callback === undefined) {
        this.clock.advanceTo(until)
        return done()
      }
      this.events += 1
      const mark = idleMark()
      callback()
      await untilIdle(mark)
    }
  }

  async execute(schedule: readonly FaultAction[]): Promise<WholeNodeResult> {
    const start = this.clock.now()
    for (let index = 0; index < this.scenario.validators; index++) this.act({at: 0, kind: 'start', node: index})
    await untilIdle()
    this.scheduleClients()
    for (const action of schedule) this.clock.schedule(action.at, () => this.act(action))
    const healAt = start + this.scenario.faultPhaseMs
    this.clock.schedule(this.scenario.faultPhaseMs, () => this.heal())
    await this.loop(healAt)
    const checked = (): SimNode[] => this.honest().filter((node) => this.everStarted.has(node.options.index))
    const live = (): boolean =>
      [...this.everStarted].every((index) => index === this.scenario.byzantine || this.nodes[index]!.running) &&
      converged(checked().map((node) => node.chain!), [...this.submitted.keys()])
    if (!(await this.loop(healAt + this.scenario.healBoundMs, live))) {
      const heads = this.nodes
        .map((node) => {
          const halt = node.haltReason()
          const role = node.running ? `/${node.chain!.status().role}` : ''
          return `${node.name}:${node.running ? node.chain!.head().height : 'down'}${role}${halt === undefined ? '' : ` (halted: ${halt})`}`
        })
        .join(' ')
      const missing = [...this.submitted.keys()].filter((hash) => !this.committedSomewhere(hash))
      // Where each missing tx waits (which nodes hold it pending): what a liveness bug needs first.
      const where = missing.slice(0, 4).map((hash) => `${hash.slice(0, 8)} pending on [${this.nodes.filter((node) => node.running && node.chain!.isPending(hash)).map((node) => node.name).join(', ')}]`)
      throw new Error(`not converged ${this.scenario.healBoundMs} ms after healing: heads ${heads}; ${missing.length} of ${this.submitted.size} client txs never committed${where.length === 0 ? '' : ` (${where.join('; ')})`}`)
    }
    const problems = await compareStores(checked().map((node) => ({name: node.name, chain: node.chain!})))
    if (problems.length > 0) throw new Error(`stores disagree:\n${problems.join('\n')}`)
    return {
      seed: this.seed,
      scenario: this.scenario.name,
      trace: this.network.trace,
      heights: this.nodes.map((node) => node.chain?.head().height ?? -1),
      txs: this.submitted.size,
      virtualMs: this.clock.now() - start,
      events: this.events,
    }
  }

  /** Stops every node (its timers, connections and store) and removes the directories. */
  async close(): Promise<void> {
    await this.ops
    for (const node of this.nodes) await node.crash().catch(() => undefined)
    rmSync(this.directory, {recursive: true, force: true})
  }
}
