/**
 * Node processes: start a node detached (pid and log files in its home), wait for readiness by
 * polling its RPC status (never a fixed sleep), and stop it gracefully with SIGTERM, waiting
 * until the process is gone and its store closed.
 */
import {spawn} from 'node:child_process'
import {existsSync, openSync, closeSync, readFileSync, rmSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {WichainError} from '../core/errors.js'
import {homePath, readNodeConfig, rpcUrl} from '../core/node/home.js'
import {WichainClient} from '../sdk/client.js'

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

/** The pid of a live node on this home, clearing a stale pid file. */
export function runningPid(home: string): number | undefined {
  const pid = readPid(home)
  if (pid === undefined) return undefined
  if (isAlive(pid)) return pid
  rmSync(homePath(home, 'pid'), {force: true})
  return undefined
}

const delay = (ms: number) => new Promise((done) => setTimeout(done, ms))

/** Poll the node's RPC until it answers, or fail once `timeoutMs` passes or `gone()` says it died. */
export async function waitUntilReady(home: string, timeoutMs: number, gone: () => boolean = () => false) {
  const client = new WichainClient(rpcUrl(readNodeConfig(home).rpc), {timeoutMs: 2000})
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
  const status = await waitUntilReady(home, options.timeoutMs ?? 30_000, () => exited)
  return {pid: child.pid!, status}
}

/** SIGTERM the node and wait for it to exit; SIGKILL after `timeoutMs` only when `force`. */
export async function stopNode(home: string, options: {timeoutMs?: number; force?: boolean} = {}) {
  const pid = runningPid(home)
  if (pid === undefined) throw new WichainError('NODE_NOT_RUNNING', `no node runs on ${home}`)
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
