/**
 * End-to-end harness: runs the real `wichain` binary (bin/run.js over the built dist/) with
 * `--json`, in a temp directory, and stops every node it started (via their pid files).
 *
 * Reads and node operations need a signed request: CLI commands given `--home` inside a network
 * laid out with `--plaintext` sign as its auditor by themselves; with `--rpc` pass `--key`. In-process
 * clients take `networkClient(rpc, netDir)` (signs as the network's auditor) and raw requests
 * `signedHeaders(...)`.
 */
import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {REQUEST_NONCE_BYTES, signRequest} from '../../src/core/authz/request.js'
import {createSigner, readKeystoreFile, type Signer} from '../../src/core/crypto/index.js'
import {WichainClient, type ClientOptions} from '../../src/sdk/client.js'

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

/** A plaintext network key of `chain init --out netDir` (`admin/<role>.json`, the first organisation's). */
export function networkSigner(netDir: string, role: 'orgadmin' | 'auditor' | 'user' | 'devops' = 'auditor'): Signer {
  return createSigner(readKeystoreFile(join(netDir, 'admin', `${role}.json`)))
}

/** A client of `rpc` that signs as the network's auditor (reads, metrics, archive, backup). */
export function networkClient(rpc: string, netDir: string, options: ClientOptions = {}): WichainClient {
  return new WichainClient(rpc, {signer: networkSigner(netDir), ...options})
}

/** Signature headers for one raw HTTP request to `url` (core/authz/request.ts). */
export function signedHeaders(signer: Signer, method: string, url: string, body: string | Uint8Array = ''): Record<string, string> {
  const target = new URL(url)
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  return signRequest(signer, {method, path: target.pathname + target.search, host: target.host, body: bytes}, Date.now(), new Uint8Array(randomBytes(REQUEST_NONCE_BYTES)))
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
