/**
 * One simulated node: a real `Chain` (its ledger on the run's in-memory disk, memory-store.ts;
 * mempool, executor, real consensus engine with the simulator's cheap SM2 signer, crypto.ts) and a real `ChainNetwork` over a `SimEndpoint`, wired as the node process wires
 * them (src/core/node/node.ts `openChain`: chain hooks from the network, node-set changes into
 * `updateMembers`, `attach`, then a `tick` every `tickMs`) but on the virtual clock. A crash stops
 * the node without a flush of its forward queue (kill -9: what the store has is what survives; its
 * atomic batches leave nothing half-written); a restart opens the same store again. The disk
 * can be made to fail (writes and the chain's disk probe throw STORAGE_ERROR, as a full or broken
 * disk does): the chain halts (fail-stop) and resumes once the disk takes writes again.
 */
import {fromHex, toHex} from '../bytes.js'
import type {Chain, EngineContext} from '../chain/chain.js'
import type {Genesis} from '../chain/genesis.js'
import {ByzantineBehaviour} from '../consensus/sim/byzantine.js'
import type {SimRandom} from '../consensus/sim/random.js'
import type {ConsensusEngine} from '../consensus/engine.js'
import {createPbftEngine} from '../consensus/pbft/index.js'
import {createRaftEngine} from '../consensus/raft/index.js'
import {fastVerify} from '../crypto/native.js'
import type {KeyPair} from '../crypto/sm2.js'
import {sm3} from '../crypto/sm3.js'
import {WichainError} from '../errors.js'
import {Ledger} from '../ledger/index.js'
import type {Logger} from '../log.js'
import {CHANNELS} from '../net/envelope.js'
import {openChainRuntime} from '../node/chain-runtime.js'
import {ChainNetwork} from '../node/network.js'
import type {VirtualClock} from './clock.js'
import type {SimNetwork} from './network.js'
import {corruptSyncAnswer} from './byzantine.js'
import {simConsensusCrypto, simSign} from './crypto.js'
import type {MemoryDisk} from './memory-store.js'

export const INJECTED_DISK_FAULT = 'sim: injected disk write failure'

export interface SimNodeOptions {
  readonly index: number
  readonly key: KeyPair
  readonly genesis: Genesis
  readonly directory: string
  /** Where the node's store lives (in memory; `directory` names it). */
  readonly disk: MemoryDisk
  readonly clock: VirtualClock
  readonly network: SimNetwork
  readonly random: SimRandom
  /** Public keys the node's config lists as peers (always allowed, dialled at start). */
  readonly configuredPeers: readonly string[]
  readonly tickMs: number
  readonly logger: Logger
  readonly byzantine: boolean
  /** Every block this node commits (height and hash), for the run's safety check. */
  readonly onCommitted: (node: number, height: number, hash: string) => void
  /** An error escaped the chain (in a node process: an unhandled rejection, the process dies). */
  readonly onFault: (node: number, error: unknown) => void
}

export class SimNode {
  chain: Chain | undefined
  private network: ChainNetwork | undefined
  private timers: ReturnType<VirtualClock['timers']> | undefined
  private ticking = false
  diskFailing = false
  readonly id: string

  constructor(readonly options: SimNodeOptions) {
    this.id = toHex(options.key.publicKey)
  }

  get running(): boolean {
    return this.chain !== undefined
  }

  get name(): string {
    return `node${this.options.index}`
  }

  async start(): Promise<void> {
    if (this.chain !== undefined) return
    const {genesis, clock, logger, index} = this.options
    const configured = this.options.configuredPeers.filter((peer) => peer !== this.id)
    const allowed = new Set([...genesis.validators.map((validator) => validator.publicKey), ...configured])
    const random = this.options.random
    const endpoint = this.options.network.endpoint(this.id, allowed, configured, {
      outgoing: this.options.byzantine ? (_to, channel, body) => (channel === CHANNELS.sync ? corruptSyncAnswer(random, body) : body) : undefined,
    })
    const timers = clock.timers()
    this.timers = timers
    const network = new ChainNetwork({network: endpoint, genesis, configuredPeers: configured.map((publicKey) => ({publicKey, host: 'sim', port: index})), allowed, logger, timers})
    this.network = network
    const behaviour = this.options.byzantine ? this.byzantineBehaviour() : undefined
    let chain: Chain
    try {
      // Wired as the node process wires it (node/chain-runtime.ts), with the simulator's seams.
      ;({chain} = await openChainRuntime({
        directory: this.options.directory,
        genesis,
        nodeKey: this.options.key,
        logger,
        network,
        clock: () => clock.now(),
        createEngine: (context) => this.engine(context),
        overrides: {
          send: behaviour === undefined ? undefined : (to, bytes) => {
            for (const out of behaviour.rewrite({to, bytes})) endpoint.send(out.to, CHANNELS.consensus, out.bytes)
          },
          // The disk fault: every ledger the chain opens (at start, and again when it resumes after
          // a halt) refuses writes while `diskFailing`, and so does the chain's disk probe.
          openLedger: async (directory, ledgerLogger) => this.faultyLedger(await Ledger.open(directory, {logger: ledgerLogger, openDatabase: this.options.disk.openDatabase})),
          probeStorage: async () => {
            if (this.diskFailing) throw new WichainError('STORAGE_ERROR', INJECTED_DISK_FAULT)
          },
        },
        onBlockCommitted: (event) => this.options.onCommitted(index, event.height, toHex(this.chain?.head().hash ?? new Uint8Array())),
      }))
    } catch (error) {
      await network.close()
      this.clearTimers()
      throw error
    }
    this.chain = chain
    // In a node process an error escaping `step` is an unhandled rejection: the process dies.
    // (The network looks `step` up per message, so wrapping it after the wiring catches them all.)
    const step = chain.step.bind(chain)
    chain.step = (from, bytes) => step(from, bytes).catch((error: unknown) => this.options.onFault(index, error))
    timers.setInterval(() => {
      if (this.ticking || this.chain !== chain) return
      this.ticking = true
      chain
        .tick()
        .catch((error: unknown) => this.options.onFault(index, error))
        .finally(() => (this.ticking = false))
      if (behaviour !== undefined) for (const out of behaviour.noise()) endpoint.send(out.to, CHANNELS.consensus, out.bytes)
    }, this.options.tickMs)
  }

  private engine(context: EngineContext): ConsensusEngine {
    const logger = this.options.logger.child({component: context.genesis.consensus})
    context = {...context, crypto: simConsensusCrypto(context.crypto, this.options.key)}
    if (context.genesis.consensus === 'raft') {
      const random = this.options.random
      return createRaftEngine({...context, random: () => random.next(), logger})
    }
    return createPbftEngine({...context, logger})
  }

  private byzantineBehaviour(): ByzantineBehaviour {
    return new ByzantineBehaviour({
      random: this.options.random,
      crypto: {self: this.id, sign: (message) => simSign(this.options.key, message), verify: (signer, message, signature) => fastVerify(fromHex(signer), message, signature), hash: sm3},
      peers: () => this.chain?.validators().filter((peer) => peer !== this.id) ?? [],
      // Equivocation with a second valid block needs a block builder; digests are forged instead.
      alternativeBlock: () => undefined,
      digest: sm3,
      height: () => (this.chain?.head().height ?? 0) + 1,
    })
  }

  /** The ledger's writes (block commits, consensus state) throw STORAGE_ERROR while `diskFailing`. */
  private faultyLedger(ledger: Ledger): Ledger {
    const writes = ledger as unknown as Record<'commitBlock' | 'putMeta', (...args: unknown[]) => Promise<void>>
    for (const method of ['commitBlock', 'putMeta'] as const) {
      const original = writes[method]!.bind(ledger)
      writes[method] = async (...args: unknown[]) => {
        if (this.diskFailing) throw new WichainError('STORAGE_ERROR', INJECTED_DISK_FAULT)
        return original(...args)
      }
    }
    return ledger
  }

  /** Stops the node as kill -9 would: connections drop, timers die, nothing more is sent. */
  async crash(): Promise<void> {
    const {chain, network} = this
    this.chain = undefined
    this.network = undefined
    if (network !== undefined) {
      await network.network.close()
      await network.close()
    }
    this.clearTimers()
    this.ticking = false
    // The store keeps exactly its completed batches; closing releases the LevelDB lock for the restart.
    if (chain !== undefined) await chain.close().catch(() => undefined)
  }

  private clearTimers(): void {
    const timers = this.timers
    this.timers = undefined
    if (timers === undefined) return
    for (const handle of [...timers.owned]) timers.clearInterval(handle)
  }

  /** Keep a copy of the store as it is now (node stopped first, as an operator's backup would). */
  async snapshot(): Promise<void> {
    const wasRunning = this.running
    await this.crash()
    this.options.disk.copy(this.options.directory, `${this.options.directory}.old`)
    if (wasRunning) await this.start()
  }

  /** Restart from the copy `snapshot` kept (an old store: the node is behind and must catch up). */
  async restoreOld(): Promise<void> {
    await this.crash()
    this.options.disk.move(`${this.options.directory}.old`, this.options.directory)
    await this.start()
  }

  /** Why the chain halted (fail-stop), while it is halted. */
  haltReason(): string | undefined {
    const halted = (this.chain?.status() as {halted?: {code: string; reason: string} | null} | undefined)?.halted
    return halted === undefined || halted === null ? undefined : `${halted.code}: ${halted.reason}`
  }
}
