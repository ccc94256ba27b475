/**
 * Fail-stop for one chain (DESIGN §12): the first fault on the commit path — a ledger write that
 * failed, stored data that fails a check, a broken invariant, an internal error while executing —
 * halts the chain with a reason, logged once. A halted chain is not driven any more (no engine
 * steps or ticks, no proposals), refuses txs with CHAIN_HALTED, and keeps answering reads.
 *
 * Owns: classifying a fault, the halt record shown in status, the fault counts (metrics), the log
 * lines (one error line per halt, a reminder at most every HALT_REMINDER_INTERVAL_MS), when a
 * storage halt probes its disk next (doubling from HALT_PROBE_DELAY_MS_MIN to
 * HALT_PROBE_DELAY_MS_MAX), and the resume sequence (`tickHalted`: probe, reopen, settle, resume).
 * Does not own: what a reopen rebuilds — the chain does that through `ResumeHost`, on its serial
 * queue.
 *
 * Only storage faults resume (the disk may take writes again, e.g. once space is freed); any
 * other fault means the code or the data is wrong, so the chain stays halted until restart.
 */
import {closeSync, fsyncSync, openSync, rmSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {toWichainError, WichainError, type ErrorCode} from '../errors.js'
import {HALT_PROBE_BYTES, HALT_PROBE_DELAY_MS_MAX, HALT_PROBE_DELAY_MS_MIN, HALT_REMINDER_INTERVAL_MS} from '../limits.js'
import type {Logger} from '../log.js'

/** Why and when a chain stopped. */
export interface HaltRecord {
  readonly reason: string
  /** STORAGE_ERROR, CORRUPT_DATA, INTERNAL (broken invariant, execution fault) or the failing code. */
  readonly code: ErrorCode
  /** When the chain halted (ms since the epoch, the chain's clock). */
  readonly at: number
  /** The committed head when it halted. */
  readonly height: number
  /** True for storage faults: the chain probes its disk and resumes by itself once it can write. */
  readonly resumable: boolean
}

/** How a thrown value counts as a fault: its code, whether it may pass, and a readable reason. */
export function classifyFault(error: unknown): {code: ErrorCode; resumable: boolean; reason: string} {
  // Not a WichainError (an assertion, an execution fault, a TypeError): a bug, never retried.
  if (!(error instanceof WichainError) && !isErrno(error)) {
    const name = error instanceof Error ? error.name : typeof error
    const message = error instanceof Error ? error.message : String(error)
    return {code: 'INTERNAL', resumable: false, reason: `${name}: ${message} (stays halted until the node restarts)`}
  }
  const failure = toWichainError(error)
  if (failure.code === 'STORAGE_ERROR') {
    return {code: 'STORAGE_ERROR', resumable: true, reason: `${failure.message} (probing the disk; resumes once it takes writes again)`}
  }
  return {code: failure.code, resumable: false, reason: `${failure.message} (stays halted until the node restarts)`}
}

function isErrno(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string'
}

/**
 * The default disk probe: write HALT_PROBE_BYTES into the ledger directory, fsync, delete.
 * Throws (ENOSPC, EIO…) while the disk does not take them. The file name is one LevelDB ignores.
 */
export async function probeDirectory(directory: string): Promise<void> {
  const path = join(directory, 'wichain-write-probe.tmp')
  let fd: number | undefined
  try {
    fd = openSync(path, 'w')
    const chunk = Buffer.alloc(64 * 1024, 0x5a)
    for (let written = 0; written < HALT_PROBE_BYTES; written += chunk.length) writeSync(fd, chunk)
    fsyncSync(fd)
  } finally {
    if (fd !== undefined) closeSync(fd)
    rmSync(path, {force: true})
  }
}

/** What resuming after a storage fault needs from the chain (called on its serial queue). */
export interface ResumeHost {
  /** Throws while the ledger's disk does not take writes. */
  probeStorage(): Promise<void>
  /** The committed head's height. */
  height(): number
  /**
   * Close the failed ledger and open it again (its head — h or h+1, a batch lands whole or not at
   * all — is authoritative), then rebuild what derives from it: the engine from the persisted
   * consensus state, proposals, caches.
   */
  reopenLedger(): Promise<void>
  /** The reopened ledger holds blocks above `height` (the failed batch did land): settle their txs. */
  settleCommittedSince(height: number): Promise<void>
  /** Restart the driver (proposal and tick timers); returns details for the "resumed" line. */
  restartDriver(): Record<string, unknown>
}

export class ChainHalt {
  private current: HaltRecord | undefined
  private readonly faultCounts = new Map<ErrorCode, number>()
  private probeDelayMs = HALT_PROBE_DELAY_MS_MIN
  private nextProbeAt = 0
  private lastReminderAt = 0

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  get record(): HaltRecord | undefined {
    return this.current
  }

  /** Faults seen since the chain opened, by code (each halt counts once). */
  faults(): Record<string, number> {
    return Object.fromEntries(this.faultCounts)
  }

  /** The error callers get while the chain is halted. */
  error(what: string, details?: Record<string, unknown>): WichainError {
    const halt = this.current!
    return new WichainError('CHAIN_HALTED', `${what}: the chain halted at height ${halt.height}: ${halt.reason}`, {...details, halt: {...halt}})
  }

  /** A fault on the commit path: the first one halts the chain (logged once); later ones change nothing. */
  fault(error: unknown, height: number): HaltRecord {
    if (this.current !== undefined) return this.current
    const {code, resumable, reason} = classifyFault(error)
    const at = this.now()
    this.current = Object.freeze({reason, code, at, height, resumable})
    this.faultCounts.set(code, (this.faultCounts.get(code) ?? 0) + 1)
    // The backoff carries over from a resume that did not last (see committed()).
    this.nextProbeAt = at + this.probeDelayMs
    this.lastReminderAt = at
    this.logger.error('chain halted', {code, reason, height, resumable, stack: error instanceof Error && code === 'INTERNAL' ? error.stack : undefined})
    return this.current
  }

  /**
   * Called on each driver tick while halted: logs the reminder when due, and says whether a
   * storage halt should probe its disk now.
   */
  private due(): boolean {
    const halt = this.current
    if (halt === undefined) return false
    const now = this.now()
    if (now - this.lastReminderAt >= HALT_REMINDER_INTERVAL_MS) {
      this.lastReminderAt = now
      this.logger.warn('chain still halted', {code: halt.code, reason: halt.reason, height: halt.height, haltedForMs: now - halt.at})
    }
    return halt.resumable && now >= this.nextProbeAt
  }

  /**
   * One driver tick while halted: the reminder line, and when due the disk probe. Once the disk
   * takes writes the ledger is reopened — it refuses writes after a failed one, whose outcome is
   * unknown until reopened — and the chain resumes. A reopen that fails on storage waits for the
   * next probe; any other failure there makes the halt permanent.
   */
  async tickHalted(host: ResumeHost): Promise<void> {
    if (!this.due()) return
    try {
      await host.probeStorage()
    } catch (error) {
      this.probeFailed(error)
      return
    }
    const previousHeight = host.height()
    try {
      await host.reopenLedger()
      await host.settleCommittedSince(previousHeight)
    } catch (error) {
      if (toWichainError(error).code === 'STORAGE_ERROR') this.probeFailed(error)
      else this.becomePermanent(error)
      return
    }
    this.resumed(host.restartDriver())
  }

  /** The disk still refuses (or the reopen failed): wait longer before the next probe. */
  private probeFailed(error: unknown): void {
    this.probeDelayMs = Math.min(this.probeDelayMs * 2, HALT_PROBE_DELAY_MS_MAX)
    this.nextProbeAt = this.now() + this.probeDelayMs
    this.logger.debug('chain still cannot write', {error: (error as Error).message, nextProbeInMs: this.probeDelayMs})
  }

  /** The reopen found a problem no probe can fix: stay halted until restart, with that reason. */
  private becomePermanent(error: unknown): void {
    const {code, reason} = classifyFault(error)
    const halt = this.current!
    this.current = Object.freeze({...halt, code, reason: `after ${halt.code}: ${reason}`, resumable: false})
    this.faultCounts.set(code, (this.faultCounts.get(code) ?? 0) + 1)
    this.logger.error('chain halted', {code, reason: this.current.reason, height: halt.height, resumable: false})
  }

  /** The chain writes again: clear the halt. */
  private resumed(details: Record<string, unknown>): void {
    const halt = this.current
    if (halt === undefined) return
    this.current = undefined
    this.logger.info('chain resumed', {...details, haltedAtHeight: halt.height, haltedForMs: this.now() - halt.at})
  }

  /** A block committed: the disk is healthy again, so the next storage halt probes quickly. */
  committed(): void {
    this.probeDelayMs = HALT_PROBE_DELAY_MS_MIN
  }
}
