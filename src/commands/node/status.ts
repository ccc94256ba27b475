import {WichainCommand} from '../../cli/base.js'
import {clientFor, signingFlags} from '../../cli/context.js'
import {homeFlag, rpcFlag} from '../../cli/flags.js'
import {renderTable} from '../../cli/output.js'
import {ERROR_CODES, WichainError} from '../../core/errors.js'
import {nodeProcessState} from '../../ops/process.js'

interface PeerRow {
  readonly publicKey: string
  readonly name?: string
  readonly address?: string
  readonly connected: boolean
  readonly health?: string
  readonly height?: number
}

interface ContractRow {
  readonly name: string
  readonly version: number
  readonly status: string
  readonly calls: number
  readonly failures: number
  readonly gasUsed: number
}

/** The promised shape ({running, chains:[{chainId, height, headHash, consensus, role, peers}]}) plus the monitoring figures. */
type ChainStatus = Record<string, unknown> & {
  chainId: string
  height: number
  headHash: string
  consensus: string
  role: string
  peers: number
  round?: number
  mempool?: {txs: number; bytes: number}
  commits?: {blocks: number; txs: number; latencyMs: {samples: number; p50: number; p99: number} | null}
  diskBytes?: number | null
  peerList?: PeerRow[]
  contracts?: ContractRow[]
  /** Fail-stop (core/chain/halt.ts): 'halted' with why and when, while a fault stops the chain. */
  state?: 'running' | 'halted'
  halted?: {reason: string; code: string; at: number; height: number; resumable: boolean} | null
  /** Block sync (core/node/block-sync.ts): is the node keeping up with its peers? */
  sync?: {mode: string; state: string; target: number; gap: number; blocksPerSec: number; etaSec: number | null; lastError?: string; failures: number}
}
/**
 * `running: false` with `crashed: true` when the node died without its clean shutdown (a stale
 * pid file, or the exit record HOME/node.exit): `lastExit` is the recorded reason, if any.
 */
type Status = {
  running: boolean
  name?: string
  nodeId?: string
  uptimeMs?: number
  chains: ChainStatus[]
  crashed?: boolean
  responding?: boolean
  pid?: number | null
  lastExit?: string | null
  lastExitAt?: string | null
}

const short = (hex: string | undefined): string | undefined => (hex === undefined ? undefined : `${hex.slice(0, 16)}…`)
function size(bytes: number | null | undefined): string | undefined {
  if (typeof bytes !== 'number') return undefined
  const [value, unit] = bytes < 1024 ** 2 ? [bytes / 1024, 'KiB'] : bytes < 1024 ** 3 ? [bytes / 1024 ** 2, 'MiB'] : [bytes / 1024 ** 3, 'GiB']
  return `${value.toFixed(1)} ${unit}`
}

/** `catching-up 1200/5000 (gap 3800, 85.2 blocks/s, ETA 45 s)`; a stall with its reason. */
function syncLine(sync: NonNullable<ChainStatus['sync']>): string {
  const state = sync.state === 'stalled' ? 'STALLED' : sync.state
  const rate = sync.state === 'catching-up' ? `, ${sync.blocksPerSec} blocks/s, ETA ${sync.etaSec ?? '?'} s` : ''
  const failures = sync.failures > 0 ? `; ${sync.failures} failures` : ''
  const error = sync.lastError !== undefined && sync.state !== 'following' ? `; last error: ${sync.lastError}` : ''
  return `${state}, target ${sync.target} (gap ${sync.gap}${rate})${failures}${error}`
}

export default class NodeStatus extends WichainCommand<typeof NodeStatus> {
  static summary = 'Show a node\'s status: chains, heights, consensus, peers, mempool, commits, disk, contracts'
  static description = 'Exit 0 when the node runs and no chain is halted, or when it is stopped cleanly. Exit 6 when a chain is halted on a fault (the status shows why), when the node crashed (a stale pid file or a recorded abnormal exit: running false, crashed true, lastExit), or when its process runs but does not answer.'
  static examples = ['<%= config.bin %> node status --home ./net/node0 --json', '<%= config.bin %> node status --rpc http://127.0.0.1:26600']
  static flags = {home: homeFlag(), rpc: rpcFlag(), ...signingFlags()}

  protected async execute(): Promise<Status> {
    let status: Status
    try {
      status = await clientFor(this.flags).status()
    } catch (error) {
      if (error instanceof WichainError && error.code === 'UNAVAILABLE') return this.notAnswering()
      throw error
    }
    if (status.chains.some((chain) => chain.state === 'halted')) process.exitCode = ERROR_CODES.CHAIN_HALTED.exit
    return status
  }

  /** No answer on the RPC port: stopped, crashed, or alive but not answering (only --home can tell). */
  private notAnswering(): Status {
    if (this.flags.home === undefined) return {running: false, chains: []}
    const state = nodeProcessState(this.flags.home)
    if (state.alive) {
      process.exitCode = ERROR_CODES.UNAVAILABLE.exit
      return {running: false, responding: false, crashed: false, pid: state.pid ?? null, chains: []}
    }
    const crashed = state.stalePid || state.lastExit !== undefined
    if (crashed) process.exitCode = ERROR_CODES.NODE_NOT_RUNNING.exit
    return {running: false, crashed, pid: state.pid ?? null, lastExit: state.lastExit?.reason ?? null, lastExitAt: state.lastExit?.at ?? null, chains: []}
  }

  protected render(result: Status): void {
    if (!result.running) {
      if (result.responding === false) return this.log(`node process ${result.pid} runs but does not answer on its RPC port`)
      if (result.crashed !== true) return this.log('not running')
      return this.log(`not running: CRASHED${result.pid === null || result.pid === undefined ? '' : ` (pid ${result.pid} is gone)`}; last exit: ${result.lastExit ?? 'no reason recorded'}`)
    }
    const uptime = result.uptimeMs === undefined ? '' : `, up ${Math.round(result.uptimeMs / 1000)} s`
    this.log(`node ${result.name ?? ''} running (id ${short(result.nodeId) ?? '-'}${uptime})`)
    this.log(renderTable(result.chains.map((chain) => ({
      chainId: chain.chainId,
      height: chain.height,
      headHash: short(chain.headHash),
      consensus: chain.consensus,
      role: chain.role,
      round: chain.round,
      peers: `${chain.peers}/${chain.peerList?.length ?? 0}`,
      mempool: chain.mempool === undefined ? undefined : `${chain.mempool.txs} txs`,
      disk: size(chain.diskBytes),
      state: chain.state === 'halted' ? 'HALTED' : chain.state,
    }))))
    for (const chain of result.chains) {
      const halt = chain.halted
      if (halt) this.log(`chain ${chain.chainId} HALTED at height ${halt.height} since ${new Date(halt.at).toISOString()} [${halt.code}]: ${halt.reason}`)
      const sync = chain.sync
      if (sync !== undefined) this.log(`chain ${chain.chainId} sync (${sync.mode}): ${syncLine(sync)}`)
    }
    this.log(renderTable(result.chains.map((chain) => ({
      chainId: chain.chainId,
      'blocks committed': chain.commits?.blocks,
      'txs committed': chain.commits?.txs,
      'latency p50 ms': chain.commits?.latencyMs?.p50,
      'latency p99 ms': chain.commits?.latencyMs?.p99,
    }))))
    const peers = result.chains.flatMap((chain) => (chain.peerList ?? []).map((peer) => ({
      chainId: chain.chainId, peer: short(peer.publicKey), name: peer.name, address: peer.address, connected: peer.connected, height: peer.height, health: peer.health,
    })))
    if (peers.length > 0) this.log(renderTable(peers))
    const contracts = result.chains.flatMap((chain) => (chain.contracts ?? []).map((contract) => ({
      chainId: chain.chainId, contract: contract.name, version: contract.version, status: contract.status, calls: contract.calls, failures: contract.failures, gas: contract.gasUsed,
    })))
    if (contracts.length > 0) this.log(renderTable(contracts))
  }
}
