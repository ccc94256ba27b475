/**
 * Node processes: start a node detached (pid and log files in its home), wait for readiness by
 * polling its RPC status (never a fixed sleep), and stop it gracefully with SIGTERM, waiting
 * until the process is gone and its store closed. A pid file whose process is gone (or is not a
 * node any more) is stale: a crash. It stays for `node status` to report (with the reason from
 * HOME/node.exit, see node-exit.ts) until the next `node start` removes it.
 */
import {spawn} from 'node:child_process'
import {existsSync, openSync, closeSync, readFileSync, rmSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {WichainError} from '../core/errors.js'
import {homePath, readNodeConfig, rpcUrl} from '../core/node/home.js'
import {createSigner, readKeystoreFile, readPasswordFile} from '../core/crypto/index.js'
import {WichainClient} from '../sdk/client.js'
import {readExitRecord, type ExitRecord} from './node-exit.js'

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/run.js')
const POLL_MS = 50

export function readPid(home: string): number | undefined {
  const path = homePath(home, 'pid')
  if (!existsSync(path)) return undefined
  const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10)
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

/** True while `pid` runs. A zombie (exited, not yet reaped by its new parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

/**
 * Whether `pid` runs a wichain node (`node start`/`start-node` in its command line), so a pid
 * reused by another program after a crash is not taken for the node. Where the command line
 * cannot be read (not Linux), a live pid counts as the node.
 */
export function isNodeProcess(pid: number): boolean {
  if (pid === process.pid) return true
  let args: string[]
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
  } catch {
    return true
  }
  return args.includes('start-node') || args.some((arg, index) => arg === 'start' && args[index - 1] === 'node')
}

/** The pid of a live node on this home; undefined when there is none (or the pid file is stale). */
export function runningPid(home: string): number | undefined {
  const pid = readPid(home)
  if (pid === undefined) return undefined
  return isAlive(pid) && isNodeProcess(pid) ? pid : undefined
}

/** Remove a stale pid file (its node is gone); returns the stale pid, if there was one. */
export function clearStalePid(home: string): number | undefined {
  const pid = readPid(home)
  if (pid === undefined || runningPid(home) !== undefined) return undefined
  rmSync(homePath(home, 'pid'), {force: true})
  return pid
}

/** What is left of the node process on this home: its pid, whether it runs, and why it last ended. */
export interface NodeProcessState {
  readonly pid: number | undefined
  readonly alive: boolean
  /** A pid file whose process is gone: the node died without its clean shutdown. */
  readonly stalePid: boolean
  /** The record of an abnormal exit (HOME/node.exit), when the process could write one. */
  readonly lastExit: ExitRecord | undefined
}

export function nodeProcessState(home: string): NodeProcessState {
  const pid = readPid(home)
  const alive = pid !== undefined && runningPid(home) === pid
  return {pid, alive, stalePid: pid !== undefined && !alive, lastExit: readExitRecord(home)}
}

const delay = (ms: number) => new Promise((done) => setTimeout(done, ms))

/** Poll the node's RPC until it answers, or fail once `timeoutMs` passes or `gone()` says it died. */
export async function waitUntilReady(home: string, timeoutMs: number, gone: () => boolean = () => false, passwordFile?: string) {
  // Signed with the node's own key: its operator may read its status (api/rpc-auth.ts).
  const signer = () => createSigner(readKeystoreFile(homePath(home, 'nodeKey'), passwordFile === undefined ? undefined : readPasswordFile(passwordFile)))
  const client = new WichainClient(rpcUrl(readNodeConfig(home).rpc), {timeoutMs: 2000, signer})
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await client.status()
    } catch (error) {
      if (gone()) throw new WichainError('OPERATION_FAILED', `node exited during start-up; see ${homePath(home, 'log')}`)
      if (Date.now() > deadline) throw new WichainError('TIMEOUT', `node did not answer within ${timeoutMs} ms: ${(error as Error).message}`)
    }
    await delay(POLL_MS)
  }
}

export async function startDetached(home: string, options: {passwordFile?: string; timeoutMs?: number} = {}) {
  readNodeConfig(home)
  const existing = runningPid(home)
  if (existing !== undefined) throw new WichainError('NODE_RUNNING', `a node already runs on ${home} (pid ${existing})`)
  clearStalePid(home)
  const log = openSync(homePath(home, 'log'), 'a')
  const args = [BIN, 'node', 'start', '--home', resolve(home), '--log-file']
  if (options.passwordFile !== undefined) args.push('--password-file', resolve(options.passwordFile))
  // Extra Node.js flags for the node process (e.g. `--cpu-prof --cpu-prof-dir=DIR` when profiling).
  const nodeFlags = (process.env.WICHAIN_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag.length > 0)
  const child = spawn(process.execPath, [...nodeFlags, ...args], {detached: true, stdio: ['ignore', log, log], env: process.env})
  closeSync(log)
  let exited = false
  child.once('exit', () => (exited = true))
  child.unref()
  const status = await waitUntilReady(home, options.timeoutMs ?? 30_000, () => exited, options.passwordFile)
  return {pid: child.pid!, status}
}

/** SIGTERM the node and wait for it to exit; SIGKILL after `timeoutMs` only when `force`. */
export async function stopNode(home: string, options: {timeoutMs?: number; force?: boolean} = {}) {
  const pid = runningPid(home)
  if (pid === undefined) {
    const stale = readPid(home)
    throw new WichainError('NODE_NOT_RUNNING', stale === undefined ? `no node runs on ${home}` : `no node runs on ${home}: pid ${stale} of its pid file is gone (it crashed: node status says why; node start cleans up)`)
  }
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      if (options.force !== true) throw new WichainError('TIMEOUT', `node pid ${pid} did not exit in time; retry with --force`)
      process.kill(pid, 'SIGKILL')
      break
    }
    await delay(POLL_MS)
  }
  rmSync(homePath(home, 'pid'), {force: true})
  return {pid, stopped: true}
}
