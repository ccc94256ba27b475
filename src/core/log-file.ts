/**
 * The node's size-bounded log file. Lines are appended with synchronous writes (a log line is
 * small and the repeat limit bounds how many there are), so a rotation never races a pending
 * write. Before a line would take the file past `bytesMax`, it rotates: node.log.(K-1) →
 * node.log.K, …, node.log → node.log.1 (the oldest beyond `filesKept` is overwritten), then a
 * fresh node.log. Disk use is bounded by (filesKept + 1) × bytesMax.
 *
 * A failing write (ENOSPC, EIO) throws to the logger, which counts the line as dropped and goes
 * on; a failing rotation keeps appending to the current file and is retried at the next line
 * past another `bytesMax` (counted in `rotationsFailed`).
 */
import {closeSync, fstatSync, openSync, renameSync, writeSync} from 'node:fs'
import {LOG_FILE_BYTES_MAX, LOG_FILES_KEPT} from './limits.js'

export interface LogFileLimits {
  readonly bytesMax: number
  /** Rotated files kept (0: the file is truncated instead). */
  readonly filesKept: number
}

export const DEFAULT_LOG_FILE_LIMITS: LogFileLimits = Object.freeze({bytesMax: LOG_FILE_BYTES_MAX, filesKept: LOG_FILES_KEPT})

export class LogFile {
  readonly path: string
  readonly #limits: LogFileLimits
  #fd: number | undefined
  #bytes = 0
  rotations = 0
  rotationsFailed = 0

  constructor(path: string, limits: LogFileLimits = DEFAULT_LOG_FILE_LIMITS) {
    this.path = path
    this.#limits = limits
    this.#open()
  }

  /** Appends one line; throws (for the logger to count) when the file cannot take it. */
  write(line: string): void {
    const data = Buffer.from(line, 'utf8')
    if (this.#bytes > 0 && this.#bytes + data.length > this.#limits.bytesMax) this.#rotate()
    if (this.#fd === undefined) this.#open()
    let offset = 0
    while (offset < data.length) offset += writeSync(this.#fd as number, data, offset)
    this.#bytes += data.length
  }

  close(): void {
    if (this.#fd === undefined) return
    try {
      closeSync(this.#fd)
    } catch {
      // nothing left to do with a file that cannot close
    }
    this.#fd = undefined
  }

  #open(): void {
    this.#fd = openSync(this.path, 'a')
    this.#bytes = fstatSync(this.#fd).size
  }

  #rotate(): void {
    try {
      this.close()
      for (let index = this.#limits.filesKept - 1; index >= 1; index--) renameIfPresent(`${this.path}.${index}`, `${this.path}.${index + 1}`)
      if (this.#limits.filesKept > 0) renameIfPresent(this.path, `${this.path}.1`)
      this.#fd = openSync(this.path, this.#limits.filesKept > 0 ? 'a' : 'w')
      this.#bytes = 0
      this.rotations += 1
    } catch {
      this.rotationsFailed += 1
      // Keep logging into whatever node.log is now; retry once another bound's worth is written.
      if (this.#fd === undefined) this.#open()
      this.#bytes = 0
    }
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}
