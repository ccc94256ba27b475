/**
 * `chain init`: lay out a ready network on loopback — N node homes with keys, the shared genesis
 * and configs, plus keystores for the four admin roles. Everything is written to a fresh
 * directory; an existing non-empty one is refused unless `force`.
 *
 * With `orgs` (a consortium, genesis version 2): organisations org1..orgN, each with keystores
 * `orgs/<id>/{orgadmin,auditor,user,devops}.json` and an SM2 encryption key
 * `orgs/<id>/encryption.json` (its public key is in the genesis); nodes are spread over the
 * organisations in turn; `admin/` holds the first organisation's four keys, as before. Without
 * `orgs`: a version 1 genesis (one organisation, the rules before organisations).
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {toHex} from '../core/bytes.js'
import {DEFAULT_PARAMS, genesisBlock, parseGenesis, ROLES, type ChainParams, type Genesis, type Role} from '../core/chain/genesis.js'
import {addressOf, createKeystore, generateKeyPair, writeKeystoreFile, type KeyPair} from '../core/crypto/index.js'
import {WichainError} from '../core/errors.js'
import {HOME_FILES, rpcUrl, type NodeConfig} from '../core/node/home.js'
import type {ConsensusKind} from '../core/types/certificate.js'
import {CHAIN_ID_RE} from '../core/types/tx.js'
import {freePorts} from './ports.js'

export const NODES_MAX = 64
export const ORGS_MAX = 16
export const TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../templates')

export interface InitNetworkOptions {
  readonly out: string
  readonly nodes: number
  readonly consensus: ConsensusKind
  readonly chainId: string
  /** First port; node i gets rpc = base + 2i, p2p = base + 2i + 1. 0 = any free ports. */
  readonly basePort: number
  readonly template: string
  /** Genesis parameters over the template's (a benchmark's smaller blocks). */
  readonly params?: Partial<ChainParams>
  readonly password?: string
  /** Organisations of a consortium (genesis version 2); undefined: a version 1 genesis. */
  readonly orgs?: number
  readonly force?: boolean
  /** PBKDF2 iterations for encrypted keystores (tests lower it). */
  readonly kdfIterations?: number
}

export interface InitNetworkResult {
  readonly chainId: string
  readonly consensus: ConsensusKind
  readonly genesisHash: string
  readonly genesis: string
  readonly nodes: ReadonlyArray<{name: string; home: string; nodeId: string; p2p: string; rpc: string}>
  readonly admin: Readonly<Record<Role, {file: string; address: string}>>
  /** Per organisation (version 2): its keystores by role and its encryption keystore. */
  readonly orgs?: ReadonlyArray<{id: string; nodes: readonly string[]; keys: Readonly<Record<Role, {file: string; address: string}>>; encryptionKey: string}>
}

export function listTemplates(): string[] {
  return readdirSync(join(TEMPLATES_DIR, 'chains')).filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -5))
}

function templateParams(name: string): ChainParams {
  const path = join(TEMPLATES_DIR, 'chains', `${name}.json`)
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(path)) {
    throw new WichainError('INVALID_ARGUMENT', `no chain template "${name}" (have: ${listTemplates().join(', ')})`)
  }
  const template = JSON.parse(readFileSync(path, 'utf8')) as {params?: Partial<ChainParams>}
  return {...DEFAULT_PARAMS, ...template.params}
}

function checkOptions(options: InitNetworkOptions): void {
  if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > NODES_MAX) {
    throw new WichainError('INVALID_ARGUMENT', `--nodes must be 1..${NODES_MAX}`)
  }
  if (options.consensus === 'solo' && options.nodes !== 1) throw new WichainError('INVALID_ARGUMENT', 'solo consensus runs exactly one node (--nodes 1)')
  if (options.consensus === 'pbft' && options.nodes < 4 && options.nodes !== 1) {
    throw new WichainError('INVALID_ARGUMENT', 'pbft needs n = 3f+1 >= 4 nodes to tolerate a fault (or 1 for development)')
  }
  if (!CHAIN_ID_RE.test(options.chainId) || options.chainId.length > 64) {
    throw new WichainError('INVALID_ARGUMENT', `chain id "${options.chainId}" must match ${CHAIN_ID_RE} (max 64 characters)`)
  }
  if (options.orgs !== undefined && (!Number.isInteger(options.orgs) || options.orgs < 1 || options.orgs > ORGS_MAX || options.orgs > options.nodes)) {
    throw new WichainError('INVALID_ARGUMENT', `--orgs must be 1..${ORGS_MAX} and at most --nodes (each organisation runs a node)`)
  }
  if (!Number.isInteger(options.basePort) || options.basePort < 0 || options.basePort + 2 * options.nodes > 65535) {
    throw new WichainError('INVALID_ARGUMENT', 'bad --base-port')
  }
}

function prepareDirectory(out: string, force: boolean): void {
  if (existsSync(out) && readdirSync(out).length > 0) {
    if (!force) throw new WichainError('NOT_EMPTY', `${out} is not empty; pass --force to replace it`)
    rmSync(out, {recursive: true, force: true})
  }
  mkdirSync(out, {recursive: true})
}

export async function initNetwork(options: InitNetworkOptions): Promise<InitNetworkResult> {
  checkOptions(options)
  const params = {...templateParams(options.template), ...options.params}
  const out = resolve(options.out)
  prepareDirectory(out, options.force === true)
  const ports = options.basePort === 0 ? await freePorts(2 * options.nodes) : Array.from({length: 2 * options.nodes}, (_, i) => options.basePort + i)
  const nodeKeys = Array.from({length: options.nodes}, () => generateKeyPair())
  const orgIds = options.orgs === undefined ? ['org1'] : Array.from({length: options.orgs}, (_, i) => `org${i + 1}`)
  const orgKeys = new Map(orgIds.map((id) => [id, Object.fromEntries(ROLES.map((role) => [role, generateKeyPair()])) as Record<Role, KeyPair>]))
  const encryptionKeys = new Map(orgIds.map((id) => [id, generateKeyPair()]))
  const adminKeys = orgKeys.get('org1')!
  const orgOfNode = (i: number): string => orgIds[i % orgIds.length]!
  const genesis: Genesis = parseGenesis(options.orgs === undefined
    ? {
        version: 1,
        chainId: options.chainId,
        consensus: options.consensus,
        timestamp: Date.now(),
        validators: nodeKeys.map((key, i) => ({name: `node${i}`, publicKey: toHex(key.publicKey)})),
        accounts: ROLES.map((role) => ({name: role, role, publicKey: toHex(adminKeys[role].publicKey), address: addressOf(adminKeys[role].publicKey)})),
        params,
      }
    : {
        version: 2,
        chainId: options.chainId,
        consensus: options.consensus,
        timestamp: Date.now(),
        orgs: orgIds.map((id) => ({id, name: id, encryptionKey: toHex(encryptionKeys.get(id)!.publicKey)})),
        validators: nodeKeys.map((key, i) => ({name: `node${i}`, publicKey: toHex(key.publicKey), org: orgOfNode(i)})),
        accounts: orgIds.flatMap((id) => ROLES.map((role) => {
          const key = orgKeys.get(id)![role]
          return {name: `${id}-${role}`, org: id, roles: [role], publicKey: toHex(key.publicKey), address: addressOf(key.publicKey)}
        })),
        params,
      })
  const genesisText = `${JSON.stringify(genesis, null, 2)}\n`
  writeFileSync(join(out, 'genesis.json'), genesisText)
  const keystoreOptions = {iterations: options.kdfIterations}
  const endpoint = (port: number) => ({host: '127.0.0.1', port})
  const nodes = []
  for (let i = 0; i < options.nodes; i++) {
    const home = join(out, `node${i}`)
    mkdirSync(home, {recursive: true})
    const config: NodeConfig = {
      version: 1,
      name: `node${i}`,
      chainId: options.chainId,
      rpc: endpoint(ports[2 * i]!),
      p2p: endpoint(ports[2 * i + 1]!),
      peers: nodeKeys.flatMap((key, j) => (j === i ? [] : [{name: `node${j}`, publicKey: toHex(key.publicKey), p2p: endpoint(ports[2 * j + 1]!)}])),
      logLevel: 'info',
      tickMs: 10,
    }
    writeFileSync(join(home, HOME_FILES.config), `${JSON.stringify(config, null, 2)}\n`)
    writeFileSync(join(home, HOME_FILES.genesis), genesisText)
    await writeKeystoreFile(join(home, HOME_FILES.nodeKey), createKeystore(nodeKeys[i]!, options.password, keystoreOptions))
    nodes.push({name: config.name, home, nodeId: toHex(nodeKeys[i]!.publicKey), p2p: `${config.p2p.host}:${config.p2p.port}`, rpc: rpcUrl(config.rpc)})
  }
  mkdirSync(join(out, 'admin'), {recursive: true})
  const admin = {} as Record<Role, {file: string; address: string}>
  for (const role of ROLES) {
    const file = join(out, 'admin', `${role}.json`)
    await writeKeystoreFile(file, createKeystore(adminKeys[role], options.password, keystoreOptions))
    admin[role] = {file, address: addressOf(adminKeys[role].publicKey)}
  }
  const orgs = []
  if (options.orgs !== undefined) {
    for (const id of orgIds) {
      const directory = join(out, 'orgs', id)
      mkdirSync(directory, {recursive: true})
      const keys = {} as Record<Role, {file: string; address: string}>
      for (const role of ROLES) {
        const key = orgKeys.get(id)![role]
        const file = join(directory, `${role}.json`)
        await writeKeystoreFile(file, createKeystore(key, options.password, keystoreOptions))
        keys[role] = {file, address: addressOf(key.publicKey)}
      }
      const encryption = encryptionKeys.get(id)!
      await writeKeystoreFile(join(directory, 'encryption.json'), createKeystore(encryption, options.password, keystoreOptions))
      orgs.push({id, nodes: nodes.filter((_, i) => orgOfNode(i) === id).map((node) => node.name), keys, encryptionKey: toHex(encryption.publicKey)})
    }
  }
  const result = {chainId: genesis.chainId, consensus: genesis.consensus, genesisHash: genesisBlock(genesis).hashHex, genesis: join(out, 'genesis.json'), nodes, admin}
  return options.orgs === undefined ? result : {...result, orgs}
}
