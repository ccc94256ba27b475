/**
 * A node home: the directory that holds one node's config, keys, genesis and chain data.
 *
 *   HOME/config.json     this file's NodeConfig
 *   HOME/genesis.json    the chain's genesis document
 *   HOME/node.key.json   the node's SM2 keystore (signs blocks and consensus messages)
 *   HOME/data/<chainId>/ the chain's LevelDB store
 *   HOME/data/<chainId>.headers/  instead, on a header-only node: its header store
 *   HOME/node.pid, HOME/node.log   process files when run detached
 */
import {existsSync, readFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {WichainError} from '../errors.js'
import {parseGenesis, type Genesis} from '../chain/genesis.js'

export interface Endpoint {
  readonly host: string
  readonly port: number
}

/** The RPC endpoint: loopback unless `allowRemote`; `hosts`: more names accepted in the Host header. */
export interface RpcConfig extends Endpoint {
  readonly hosts?: readonly string[]
  readonly allowRemote?: boolean
}

export interface PeerConfig {
  readonly name: string
  readonly publicKey: string
  readonly p2p: Endpoint
}

export interface NodeConfig {
  readonly version: 1
  readonly name: string
  readonly chainId: string
  readonly rpc: RpcConfig
  readonly p2p: Endpoint
  readonly peers: readonly PeerConfig[]
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error'
  /** Milliseconds between consensus ticks. */
  readonly tickMs: number
  /**
   * "full" (default): keep blocks, receipts and state, and validate. "headers": keep only headers
   * and commit certificates, verified against the tracked validator set (an observer).
   */
  readonly sync?: SyncMode
  /** `public: true` serves GET /metrics without a signed request (Prometheus scrapers; insecure). */
  readonly metrics?: {readonly public?: boolean}
}

export const SYNC_MODES = ['full', 'headers'] as const
export type SyncMode = (typeof SYNC_MODES)[number]

export const HOME_FILES = Object.freeze({
  config: 'config.json',
  genesis: 'genesis.json',
  nodeKey: 'node.key.json',
  data: 'data',
  pid: 'node.pid',
  log: 'node.log',
})

export function homePath(home: string, file: keyof typeof HOME_FILES): string {
  return join(resolve(home), HOME_FILES[file])
}

export function chainDataPath(home: string, chainId: string): string {
  return join(homePath(home, 'data'), chainId)
}

/** Where a header-only node keeps a chain's headers (beside, never inside, a full ledger). */
export function headerDataPath(home: string, chainId: string): string {
  return join(homePath(home, 'data'), `${chainId}.headers`)
}

function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw new WichainError('FILE_NOT_FOUND', `${what} not found: ${path}`)
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown
  } catch (error) {
    throw new WichainError('DECODE_ERROR', `${what} is not valid JSON: ${path} (${(error as Error).message})`)
  }
}

function isEndpoint(value: unknown): value is Endpoint {
  const endpoint = value as Endpoint
  return typeof endpoint?.host === 'string' && Number.isInteger(endpoint.port) && endpoint.port > 0 && endpoint.port < 65536
}

export function readNodeConfig(home: string): NodeConfig {
  const path = homePath(home, 'config')
  const config = readJson(path, 'node config') as NodeConfig
  if (config?.version !== 1 || typeof config.name !== 'string' || typeof config.chainId !== 'string' || !isEndpoint(config.rpc) || !isEndpoint(config.p2p) || !Array.isArray(config.peers)) {
    throw new WichainError('DECODE_ERROR', `node config is malformed: ${path}`)
  }
  const {hosts, allowRemote} = config.rpc
  if ((hosts !== undefined && !(Array.isArray(hosts) && hosts.every((host) => typeof host === 'string'))) || (allowRemote !== undefined && typeof allowRemote !== 'boolean')) {
    throw new WichainError('DECODE_ERROR', `node config: rpc.hosts must be a list of names, rpc.allowRemote a boolean: ${path}`)
  }
  if (config.metrics !== undefined && (typeof config.metrics !== 'object' || config.metrics === null || (config.metrics.public !== undefined && typeof config.metrics.public !== 'boolean'))) {
    throw new WichainError('DECODE_ERROR', `node config: metrics must be {"public": boolean}: ${path}`)
  }
  if (config.sync !== undefined && !SYNC_MODES.includes(config.sync)) {
    throw new WichainError('DECODE_ERROR', `node config: sync must be ${SYNC_MODES.join(' or ')}: ${path}`)
  }
  return {...config, logLevel: config.logLevel ?? 'info', tickMs: config.tickMs ?? 10, sync: config.sync ?? 'full'}
}

export function readGenesisFile(path: string): Genesis {
  return parseGenesis(readJson(path, 'genesis file'))
}

export function rpcUrl(endpoint: Endpoint): string {
  return `http://${endpoint.host}:${endpoint.port}`
}
