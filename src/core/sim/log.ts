/**
 * The simulator's logger: every node's log lines, stamped with virtual time and the node, kept in
 * a bounded ring so a failure report can show the last moments of the run. Nothing is printed.
 */
import type {Logger, LogLevel} from '../log.js'

const LEVELS: Record<LogLevel, number> = {debug: 0, info: 1, warn: 2, error: 3}
const LINES_MAX = 400

export class SimLog {
  private readonly lines: string[] = []

  constructor(
    private readonly now: () => number,
    private readonly level: LogLevel = 'info',
    /** Also receives every line (to compare two runs line by line). */
    readonly sink?: string[],
  ) {}

  logger(context: Record<string, unknown>): Logger {
    const write = (level: LogLevel, message: string, extra?: Record<string, unknown>): void => {
      if (LEVELS[level] < LEVELS[this.level]) return
      this.lines.push(`${this.now()} ${level} ${JSON.stringify({...context, ...extra})} ${message}`)
      this.sink?.push(this.lines[this.lines.length - 1]!)
      if (this.lines.length > LINES_MAX) this.lines.shift()
    }
    return {
      debug: (message, extra) => write('debug', message, extra),
      info: (message, extra) => write('info', message, extra),
      warn: (message, extra) => write('warn', message, extra),
      error: (message, extra) => write('error', message, extra),
      child: (more) => this.logger({...context, ...more}),
    }
  }

  note(line: string): void {
    this.lines.push(`${this.now()} sim ${line}`)
    if (this.lines.length > LINES_MAX) this.lines.shift()
  }

  tail(count = 60): string {
    return this.lines.slice(-count).join('\n')
  }
}
