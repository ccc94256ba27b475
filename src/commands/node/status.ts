import {WichainCommand} from '../../cli/base.js'
import {clientFor} from '../../cli/context.js'
import {homeFlag, rpcFlag} from '../../cli/flags.js'
import {renderTable} from '../../cli/output.js'
import {WichainError} from '../../core/errors.js'

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
}
type Status = {running: boolean; name?: string; nodeId?: string; uptimeMs?: number; chains: ChainStatus[]}

const short = (hex: string | undefined): string | undefined => (hex === undefined ? undefined : `${hex.slice(0, 16)}…`)
function size(bytes: number | null | undefined): string | undefined {
  if (typeof bytes !== 'number') return undefined
  const [value, unit] = bytes < 1024 ** 2 ? [bytes / 1024, 'KiB'] : bytes < 1024 ** 3 ? [bytes / 1024 ** 2, 'MiB'] : [bytes / 1024 ** 3, 'GiB']
  return `${value.toFixed(1)} ${unit}`
}

export default class NodeStatus extends WichainCommand<typeof NodeStatus> {
  static summary = 'Show a node\'s status: chains, heights, consensus, peers, mempool, commits, disk, contracts'
  static examples = ['<%= config.bin %> node status --home ./net/node0 --json', '<%= config.bin %> node status --rpc http://127.0.0.1:26600']
  static flags = {home: homeFlag(), rpc: rpcFlag()}

  protected async execute(): Promise<Status> {
    try {
      return await clientFor(this.flags).status()
    } catch (error) {
      if (error instanceof WichainError && error.code === 'UNAVAILABLE') return {running: false, chains: []}
      throw error
    }
  }

  protected render(result: Status): void {
    if (!result.running) return this.log('not running')
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
    }))))
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
