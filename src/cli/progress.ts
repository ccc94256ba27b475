/**
 * Progress bars for long work (backup, restore, archive, sync, bench): drawn with cli-progress on
 * stderr, and only when stderr is a terminal and the command is not in `--json` mode. Otherwise
 * every call is a no-op, so library code can report progress unconditionally.
 */
import cliProgress from 'cli-progress'

export interface Progress {
  /** Set the total (units of work) once it is known. */
  total(total: number): void
  /** Move forward by `delta` units (default 1). */
  tick(delta?: number): void
  /** Set the absolute position; `note` replaces the text after the bar (e.g. a sync state). */
  update(value: number, note?: string): void
  stop(): void
}

const silent: Progress = {total: () => undefined, tick: () => undefined, update: () => undefined, stop: () => undefined}

export function createProgress(label: string, options: {json: boolean; unit?: string}): Progress {
  if (options.json || process.stderr.isTTY !== true) return silent
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${options.unit ?? ''} | {eta_formatted}{note}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  let value = 0
  const ensure = (total: number): void => {
    if (!started) {
      bar.start(total, value, {note: ''})
      started = true
    }
  }
  return {
    total(total) {
      ensure(total)
      bar.setTotal(total)
    },
    tick(delta = 1) {
      value += delta
      ensure(Math.max(value, 1))
      bar.update(value)
    },
    update(next, note) {
      value = next
      ensure(Math.max(value, 1))
      bar.update(value, note === undefined ? undefined : {note: ` | ${note}`})
    },
    stop() {
      if (started) bar.stop()
    },
  }
}
