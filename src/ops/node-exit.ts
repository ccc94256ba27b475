/**
 * A node process never dies silently. `node start` installs a guard for the process: an uncaught
 * exception is reported through the node's logger and on stderr, recorded in HOME/node.exit
 * (JSON: reason, kind, at, pid; written when the disk allows), and ends the process with exit code
 * 1, its pid file left behind so `node status` reports the crash. A failing write to the log or
 * stderr (ENOSPC, EIO, EPIPE) is not a reason to die: it is noted (rate-limited) and the node
 * goes on. An unhandled rejection is reported the same way and the node goes on: chains halt on
 * their own faults (core/chain/halt.ts); a stray rejection elsewhere fails only its operation.
 *
 * Owns: the exit record file and the process-level handlers. Does not own: the log sink (core
 * log files handle their own write failures), chain faults, the pid file (ops/process.ts).
 */
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {HALT_REMINDER_INTERVAL_MS} from '../core/limits.js'
import type {Logger} from '../core/log.js'

/** HOME/node.exit: why the last run of the node ended abnormally (removed by the next start). */
export function exitRecordPath(home: string): string {
  return join(resolve(home), 'node.exit')
}

export interface ExitRecord {
  readonly reason: string
  readonly kind: 'uncaughtException' | 'startFailed'
  /** ISO time of the exit. */
  readonly at: string
  readonly pid: number
}

export function readExitRecord(home: string): ExitRecord | undefined {
  const path = exitRecordPath(home)
  if (!existsSync(path)) return undefined
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as Partial<ExitRecord>
    return typeof record.reason === 'string' ? (record as ExitRecord) : undefined
  } catch {
    return {reason: `${path} is unreadable`, kind: 'uncaughtException', at: '', pid: 0}
  }
}

export function writeExitRecord(home: string, record: ExitRecord): boolean {
  try {
    writeFileSync(exitRecordPath(home), JSON.stringify(record) + '\n')
    return true
  } catch {
    return false // a full disk: stderr and the log had their try
  }
}

export function clearExitRecord(home: string): void {
  rmSync(exitRecordPath(home), {force: true})
}

const SINK_WRITE_FAILURES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO', 'EROFS', 'EPIPE'])

/** A failed write of a log line or of stderr: the sink's problem, never the node's. */
export function isSinkWriteFailure(error: unknown): boolean {
  const failure = error as NodeJS.ErrnoException | undefined
  return failure instanceof Error && failure.syscall === 'write' && SINK_WRITE_FAILURES.has(failure.code ?? '')
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}

export interface GuardOptions {
  readonly home: string
  /** The node's logger once it exists (undefined during start-up). */
  readonly logger: () => Logger | undefined
  readonly exit?: (code: number) => void
  readonly stderr?: (text: string) => void
  readonly now?: () => number
}

export interface ProcessGuard {
  uncaughtException(error: unknown): void
  unhandledRejection(reason: unknown): void
  /** Remove the handlers (after a clean stop). */
  dispose(): void
}

/** The guard's behaviour, without touching `process` (tests call it directly). */
export function createProcessGuard(options: GuardOptions): ProcessGuard {
  const now = options.now ?? Date.now
  const stderr = (text: string): void => {
    try {
      ;(options.stderr ?? ((line: string) => process.stderr.write(line)))(text)
    } catch {
      // stderr itself may be the full file
    }
  }
  const log = (message: string, context: Record<string, unknown>): void => {
    try {
      options.logger()?.error(message, context)
    } catch {
      // the logger must not take the report down with it
    }
  }
  let sinkNotedAt = -Infinity
  let rejectionNotedAt = -Infinity
  return {
    uncaughtException(error) {
      if (isSinkWriteFailure(error)) {
        if (now() - sinkNotedAt < HALT_REMINDER_INTERVAL_MS) return
        sinkNotedAt = now()
        stderr(`wichain node: a log write failed (${describe(error)}); the node goes on\n`)
        return
      }
      const record: ExitRecord = {reason: describe(error), kind: 'uncaughtException', at: new Date(now()).toISOString(), pid: process.pid}
      log('node process failed; exiting', {reason: record.reason, stack: error instanceof Error ? error.stack : undefined})
      stderr(`wichain node: exiting on an uncaught exception: ${error instanceof Error ? (error.stack ?? record.reason) : record.reason}\n`)
      writeExitRecord(options.home, record)
      ;(options.exit ?? ((code: number) => process.exit(code)))(1)
    },
    unhandledRejection(reason) {
      log('unhandled rejection (the node goes on)', {reason: describe(reason), stack: reason instanceof Error ? reason.stack : undefined})
      if (now() - rejectionNotedAt < HALT_REMINDER_INTERVAL_MS) return
      rejectionNotedAt = now()
      stderr(`wichain node: unhandled rejection (the node goes on): ${describe(reason)}\n`)
    },
    dispose() {},
  }
}

/** Install the guard on this process (foreground `node start`, and the detached child). */
export function guardNodeProcess(options: GuardOptions): ProcessGuard {
  const guard = createProcessGuard(options)
  const onException = (error: unknown) => guard.uncaughtException(error)
  const onRejection = (reason: unknown) => guard.unhandledRejection(reason)
  process.on('uncaughtException', onException)
  process.on('unhandledRejection', onRejection)
  return {
    ...guard,
    dispose() {
      process.off('uncaughtException', onException)
      process.off('unhandledRejection', onRejection)
    },
  }
}
