/**
 * Structured logging behind an interface. The core never writes to the console: callers inject a
 * Logger. The node process uses a JSON-lines logger on stderr/log file; tests use `nullLogger`.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void
  info(message: string, context?: Record<string, unknown>): void
  warn(message: string, context?: Record<string, unknown>): void
  error(message: string, context?: Record<string, unknown>): void
  child(context: Record<string, unknown>): Logger
}

const LEVEL_ORDER: Record<LogLevel, number> = {debug: 10, info: 20, warn: 30, error: 40}

/** A JSON-lines logger writing to any sink (e.g. a file stream or process.stderr). */
export function createJsonLogger(
  write: (line: string) => void,
  options: {level?: LogLevel; context?: Record<string, unknown>; now?: () => number} = {},
): Logger {
  const minimum = LEVEL_ORDER[options.level ?? 'info']
  const base = options.context ?? {}
  const now = options.now ?? Date.now
  const emit = (level: LogLevel, message: string, context?: Record<string, unknown>): void => {
    if (LEVEL_ORDER[level] < minimum) return
    write(JSON.stringify({time: new Date(now()).toISOString(), level, msg: message, ...base, ...context}) + '\n')
  }
  return {
    debug: (m, c) => emit('debug', m, c),
    info: (m, c) => emit('info', m, c),
    warn: (m, c) => emit('warn', m, c),
    error: (m, c) => emit('error', m, c),
    child: (context) => createJsonLogger(write, {...options, context: {...base, ...context}}),
  }
}

export const nullLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => nullLogger,
}
