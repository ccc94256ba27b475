/**
 * The node: hosts the chains of one home, ticks their consensus engines and reports status.
 * It owns no sockets of its own (the API layer serves RPC; the P2P layer comes with consensus).
 */
import {createSoloEngine} from '../consensus/solo/index.js'
import type {ConsensusEngine} from '../consensus/engine.js'
import {Chain, type EngineContext} from '../chain/chain.js'
import {readKeystoreFile, type KeyPair} from '../crypto/index.js'
import {WichainError} from '../errors.js'
import type {Logger} from '../log.js'
import {chainDataPath, homePath, readGenesisFile, readNodeConfig, type NodeConfig} from './home.js'
import {toHex} from '../bytes.js'

export interface NodeOptions {
  readonly home: string
  readonly logger: Logger
  /** Password for an encrypted node keystore. */
  readonly password?: string
}

function createEngine(context: EngineContext): ConsensusEngine {
  switch (context.genesis.consensus) {
    case 'solo':
      return createSoloEngine({...context, proposeIntervalTicks: 1})
    default:
      throw new WichainError('OPERATION_FAILED', `consensus "${context.genesis.consensus}" is not available in this build yet`)
  }
}

export class Node {
  readonly config: NodeConfig
  private readonly chains = new Map<string, Chain>()
  private timer: NodeJS.Timeout | undefined
  private ticking = false
  readonly startedAt = Date.now()

  private constructor(
    readonly home: string,
    private readonly nodeKey: KeyPair,
    private readonly logger: Logger,
  ) {
    this.config = readNodeConfig(home)
  }

  static async start(options: NodeOptions): Promise<Node> {
    const nodeKey = await readKeystoreFile(homePath(options.home, 'nodeKey'), options.password)
    const node = new Node(options.home, nodeKey, options.logger)
    const genesis = readGenesisFile(homePath(options.home, 'genesis'))
    if (genesis.chainId !== node.config.chainId) {
      throw new WichainError('INVALID_ARGUMENT', `config chainId "${node.config.chainId}" differs from genesis "${genesis.chainId}"`)
    }
    const chain = await Chain.open({
      directory: chainDataPath(options.home, genesis.chainId),
      genesis,
      nodeKey,
      logger: options.logger.child({chainId: genesis.chainId}),
      createEngine,
    })
    node.chains.set(chain.chainId, chain)
    node.timer = setInterval(() => void node.tickAll(), node.config.tickMs)
    options.logger.info('node started', {name: node.config.name, chains: [...node.chains.keys()], nodeId: toHex(nodeKey.publicKey)})
    return node
  }

  private async tickAll(): Promise<void> {
    if (this.ticking) return
    this.ticking = true
    try {
      for (const chain of this.chains.values()) await chain.tick()
    } catch (error) {
      this.logger.error('tick failed', {error: (error as Error).message})
    } finally {
      this.ticking = false
    }
  }

  get nodeId(): string {
    return toHex(this.nodeKey.publicKey)
  }

  /** The named chain, or the node's only/default chain when `chainId` is omitted. */
  chain(chainId?: string): Chain {
    const chain = chainId === undefined ? this.chains.get(this.config.chainId) : this.chains.get(chainId)
    if (chain === undefined) throw new WichainError('NOT_FOUND', `this node does not host chain "${chainId}"`)
    return chain
  }

  status() {
    return {
      running: true,
      name: this.config.name,
      nodeId: this.nodeId,
      pid: process.pid,
      uptimeMs: Date.now() - this.startedAt,
      chains: [...this.chains.values()].map((chain) => ({...chain.status(), peers: 0})),
    }
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    for (const chain of this.chains.values()) await chain.close()
    this.logger.info('node stopped', {name: this.config.name})
  }
}
