/**
 * Human output of `wichain node start --detach`: a few lines saying where the node is (name,
 * pid, chains with height, RPC URL, P2P address, log file) instead of its whole status document
 * (which `--json` still prints).
 */
import {resolve} from 'node:path'
import {homePath, rpcUrl, type NodeConfig} from '../core/node/home.js'

export interface StartedNode {
  readonly pid: number
  readonly name?: string
  readonly chains: ReadonlyArray<{readonly chainId: string; readonly height: number; readonly consensus?: string; readonly role?: string}>
}

export function renderNodeStarted(home: string, config: Pick<NodeConfig, 'name' | 'rpc' | 'p2p'>, started: StartedNode): string {
  const lines: Array<[string, string]> = started.chains.map((chain) => {
    const detail = [chain.consensus, chain.role].filter(Boolean).join(', ')
    return ['chain', `${chain.chainId}${detail === '' ? '' : ` (${detail})`} at height ${chain.height}`]
  })
  lines.push(['rpc', rpcUrl(config.rpc)], ['p2p', `${config.p2p.host}:${config.p2p.port}`], ['log', resolve(homePath(home, 'log'))])
  return [`node ${started.name ?? config.name} started (pid ${started.pid})`, ...lines.map(([key, value]) => `  ${key.padEnd(5)} ${value}`)].join('\n')
}
