/**
 * End-to-end harness: runs the real `wichain` binary (bin/run.js over the built dist/) with
 * `--json`, in a temp directory, and stops every node it started (via their pid files).
 */
import {execFile} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const BIN = join(REPO, 'bin', 'run.js')

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  readonly json: any
}

export function wichain(args: readonly string[], options: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {cwd: options.cwd, env: {...process.env, ...options.env}, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024},
      (error, stdout, stderr) => {
        let json: unknown
        try {
          json = JSON.parse(stdout)
        } catch {
          json = undefined
        }
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1
        done({code, stdout, stderr, json})
      },
    )
  })
}

/** Like `wichain` but fails the test with the command's output unless it exits 0. */
export async function ok(args: readonly string[], options?: Parameters<typeof wichain>[1]): Promise<any> {
  const result = await wichain([...args, '--json'], options)
  if (result.code !== 0) throw new Error(`wichain ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
  return result.json
}

/**
 * Polls `condition` every 100 ms until it holds (a throwing condition counts as not yet), or fails
 * after `timeoutMs` naming `what` and, if given, a `detail` of the state at that moment.
 */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string, detail?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail === undefined ? '' : `; ${await detail()}`}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'wichain-e2e-'))

  path(...parts: string[]): string {
    return join(this.dir, ...parts)
  }

  /** Kill any node still running under this sandbox (pid files), then delete it. */
  cleanup(): void {
    for (const pidFile of findPidFiles(this.dir)) {
      const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10)
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, {recursive: true, force: true})
  }
}

function findPidFiles(dir: string, depth = 0): string[] {
  if (depth > 3 || !existsSync(dir)) return []
  const found: string[] = []
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...findPidFiles(path, depth + 1))
    else if (entry.name === 'node.pid') found.push(path)
  }
  return found
}
