/**
 * `wichain up` / `wichain down`: a local network on loopback for newcomers and tests: a consortium
 * of two organisations (org1, org2; `--orgs`), nodes spread over them. `up` is idempotent: it initialises DIR when it holds no network yet, then starts every node that is not
 * running; `down` stops them all (and deletes DIR with `purge`).
 */
import {existsSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {WichainError} from '../core/errors.js'
import {readNodeConfig, rpcUrl} from '../core/node/home.js'
import type {ConsensusKind} from '../core/types/certificate.js'
import {initNetwork} from './network.js'
import {runningPid, startDetached, stopNode} from './process.js'

export function nodeHomes(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => /^node\d+$/.test(name) && existsSync(join(dir, name, 'config.json')))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
    .map((name) => join(dir, name))
}

export async function up(options: {dir: string; nodes: number; consensus: ConsensusKind; chainId: string; basePort: number; template: string; orgs?: number}) {
  const dir = resolve(options.dir)
  let created = false
  if (nodeHomes(dir).length === 0) {
    // A consortium of (by default) two organisations, so a newcomer meets organisations, policies
    // and proposals from the start; one node can only be one organisation.
    const orgs = Math.min(options.orgs ?? 2, options.nodes)
    await initNetwork({out: dir, nodes: options.nodes, consensus: options.consensus, chainId: options.chainId, basePort: options.basePort, template: options.template, orgs})
    created = true
  }
  const homes = nodeHomes(dir)
  // Start every node at once: each waits for its own RPC only, and peers connect as they come up.
  const nodes = await Promise.all(
    homes.map(async (home) => {
      const alreadyRunning = runningPid(home)
      const pid = alreadyRunning ?? (await startDetached(home)).pid
      const config = readNodeConfig(home)
      return {name: config.name, home, rpc: rpcUrl(config.rpc), p2p: `${config.p2p.host}:${config.p2p.port}`, pid, started: alreadyRunning === undefined}
    }),
  )
  const genesis = JSON.parse(readFileSync(join(dir, 'genesis.json'), 'utf8')) as {chainId: string; consensus: string}
  const admin = Object.fromEntries(['orgadmin', 'auditor', 'user', 'devops'].map((role) => [role, join(dir, 'admin', `${role}.json`)]))
  const orgs = existsSync(join(dir, 'orgs')) ? readdirSync(join(dir, 'orgs')).sort().map((id) => ({id, keys: join(dir, 'orgs', id)})) : []
  return {dir, created, chainId: genesis.chainId, consensus: genesis.consensus, genesis: join(dir, 'genesis.json'), nodes, admin, orgs}
}

export async function down(options: {dir: string; purge: boolean}) {
  const dir = resolve(options.dir)
  const homes = nodeHomes(dir)
  if (homes.length === 0 && !options.purge) throw new WichainError('NOT_FOUND', `no local network in ${dir}`)
  const running = homes.filter((home) => runningPid(home) !== undefined)
  const stopped = await Promise.all(running.map(async (home) => (await stopNode(home, {force: true})).pid))
  if (options.purge) rmSync(dir, {recursive: true, force: true})
  return {dir, stopped: stopped.length, purged: options.purge}
}
