/**
 * Structured logging behind an interface. The core never writes to the console: callers inject a
 * Logger. The node process uses a JSON-lines logger on stderr or its log file (see log-file.ts);
 * tests use `nullLogger`.
 *
 * The JSON logger never throws: a failing sink (a full disk, a closed pipe) or an unserialisable
 * context costs the line, which is counted in `stats.linesDropped`. With `repeat` limits, repeated
 * events (same level and message) are rate-limited per interval and summarised by count
 * ("… repeated K times"), so a flood of identical events cannot flood the log.
 */
import {LOG_LINE_BYTES_MAX} from './limits.js'
import {DEFAULT_REPEAT_LIMITS, OVERFLOW_KEY, RepeatLimiter, type RepeatLimits} from './log-repeat.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void
  info(message: string, context?: Record<string, unknown>): void
  warn(message: string, context?: Record<string, unknown>): void
  error(message: string, context?: Record<string, unknown>): void
  child(context: Record<string, unknown>): Logger
}

/** Counters of one JSON logger and all its children. */
export interface LogStats {
  linesWritten: number
  /** Lines lost because the sink failed (or the line could not be serialised). */
  linesDropped: number
  /** Lines held back by the repeat limit (each counted in a later "repeated" line). */
  linesSuppressed: number
}

/** A JSON logger: a Logger plus its counters and a way to write pending repeat summaries now. */
export interface JsonLogger extends Logger {
  readonly stats: LogStats
  /** Ends the current repeat interval: writes its "… repeated K times" lines. */
  flush(): void
  child(context: Record<string, unknown>): JsonLogger
}

export interface JsonLoggerOptions {
  level?: LogLevel
  context?: Record<string, unknown>
  now?: () => number
  /** Rate-limit repeated events (see log-repeat.ts); none when absent. */
  repeat?: RepeatLimits
}

const LEVEL_ORDER: Record<LogLevel, number> = {debug: 10, info: 20, warn: 30, error: 40}
/** A message is cut to this many characters when its line is over LOG_LINE_BYTES_MAX. */
const CUT_MESSAGE_CHARS = 1024

/** State shared by a logger and its children: one sink, one set of counters, one limiter. */
class LogCore {
  readonly stats: LogStats = {linesWritten: 0, linesDropped: 0, linesSuppressed: 0}
  readonly limiter: RepeatLimiter | undefined
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    readonly write: (line: string) => void,
    readonly now: () => number,
    readonly repeat: RepeatLimits | undefined,
  ) {
    this.limiter = repeat === undefined ? undefined : new RepeatLimiter(repeat, now)
  }

  emit(level: LogLevel, message: string, base: Record<string, unknown>, context: Record<string, unknown> | undefined): void {
    const limiter = this.limiter
    if (limiter !== undefined) {
      if (limiter.expired()) this.flush()
      if (!limiter.admit(`${level}\u0000${message}`)) {
        this.stats.linesSuppressed += 1
        this.#schedule()
        return
      }
    }
    this.writeLine({time: new Date(this.now()).toISOString(), level, msg: message, ...base, ...context})
  }

  /** Writes the summaries of the current interval and starts the next one. */
  flush(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    for (const {key, suppressed} of this.limiter?.roll() ?? []) {
      const cut = key.indexOf('\u0000')
      const [level, message] = key === OVERFLOW_KEY ? ['warn', 'other log messages'] : [key.slice(0, cut), key.slice(cut + 1)]
      this.writeLine({
        time: new Date(this.now()).toISOString(), level, msg: `${message} … repeated ${suppressed} times`,
        repeated: suppressed, intervalMs: this.repeat?.intervalMs,
      })
    }
  }

  writeLine(record: Record<string, unknown>): void {
    try {
      let line = JSON.stringify(record)
      if (line.length > LOG_LINE_BYTES_MAX / 3 && Buffer.byteLength(line) > LOG_LINE_BYTES_MAX) {
        line = JSON.stringify({
          time: record.time, level: record.level, msg: String(record.msg).slice(0, CUT_MESSAGE_CHARS), truncatedBytes: Buffer.byteLength(line),
        })
      }
      this.write(line + '\n')
      this.stats.linesWritten += 1
    } catch {
      this.stats.linesDropped += 1
    }
  }

  /** A burst followed by silence still gets its summary when the interval ends. */
  #schedule(): void {
    if (this.#timer !== undefined || this.repeat === undefined) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.flush()
    }, this.repeat.intervalMs)
    this.#timer.unref?.()
  }
}

function jsonLogger(core: LogCore, minimum: number, base: Record<string, unknown>): JsonLogger {
  const emit = (level: LogLevel, message: string, context?: Record<string, unknown>): void => {
    if (LEVEL_ORDER[level] < minimum) return
    core.emit(level, message, base, context)
  }
  return {
    stats: core.stats,
    flush: () => core.flush(),
    debug: (m, c) => emit('debug', m, c),
    info: (m, c) => emit('info', m, c),
    warn: (m, c) => emit('warn', m, c),
    error: (m, c) => emit('error', m, c),
    child: (context) => jsonLogger(core, minimum, {...base, ...context}),
  }
}

/** A JSON-lines logger writing to any sink (e.g. a log file or process.stderr). */
export function createJsonLogger(write: (line: string) => void, options: JsonLoggerOptions = {}): JsonLogger {
  const core = new LogCore(write, options.now ?? Date.now, options.repeat)
  return jsonLogger(core, LEVEL_ORDER[options.level ?? 'info'], options.context ?? {})
}

/** The node process's logger: JSON lines with repeated events rate-limited at the node defaults. */
export function createNodeLogger(write: (line: string) => void, options: Omit<JsonLoggerOptions, 'repeat'> = {}): JsonLogger {
  return createJsonLogger(write, {...options, repeat: DEFAULT_REPEAT_LIMITS})
}

export const nullLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => nullLogger,
}
