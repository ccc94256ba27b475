/**
 * One in-process node for the RPC tests, plus extra RPC servers on it with test limits or test
 * methods (startRpcServer on port 0), and raw HTTP helpers for what fetch cannot do (slow uploads).
 * `post` signs as the network's auditor (reads and node operations need an identity) unless told
 * otherwise.
 */
import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync} from 'node:fs'
import type {Server} from 'node:http'
import {connect, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runNode, type RunningNode} from '../../../src/api/daemon.js'
import {startRpcServer, type RpcServerOptions} from '../../../src/api/rpc.js'
import {REQUEST_NONCE_BYTES, signRequest} from '../../../src/core/authz/request.js'
import {createSigner, readKeystoreFile, type Signer} from '../../../src/core/crypto/index.js'
import {nullLogger} from '../../../src/core/log.js'
import {initNetwork} from '../../../src/ops/network.js'

export const CHAIN = 'wi-rpc-unit'

/** Who `post` signs as by default (the fixture's auditor once it started). */
let defaultSigner: Signer | undefined

export class RpcFixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'wichain-rpc-'))
  running: RunningNode | undefined
  userKey = ''
  auditor: Signer | undefined
  user: Signer | undefined
  readonly #servers: Server[] = []

  async start(): Promise<void> {
    const network = await initNetwork({out: join(this.dir, 'net'), nodes: 1, consensus: 'solo', chainId: CHAIN, basePort: 0, template: 'dev', kdfIterations: 1})
    this.userKey = network.admin.user.file
    this.auditor = createSigner(readKeystoreFile(network.admin.auditor.file))
    this.user = createSigner(readKeystoreFile(network.admin.user.file))
    defaultSigner = this.auditor
    this.running = await runNode({home: network.nodes[0]!.home, logger: nullLogger})
  }

  /** Another RPC endpoint on the same node; returns its URL and port. */
  async server(options: RpcServerOptions): Promise<{url: string; port: number}> {
    const server = await startRpcServer(this.running!.node, {host: '127.0.0.1', port: 0}, nullLogger, options)
    this.#servers.push(server)
    const {port} = server.address() as {port: number}
    return {url: `http://127.0.0.1:${port}/`, port}
  }

  /** Open connections on the most recent extra server. */
  connections(): Promise<number> {
    const server = this.#servers.at(-1)!
    return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))))
  }

  async stop(): Promise<void> {
    for (const server of this.#servers) {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
    await this.running?.stop()
    rmSync(this.dir, {recursive: true, force: true})
  }
}

/** The signature headers for one request (core/authz/request.ts). */
export function signedHeaders(signer: Signer, method: string, url: string, body: string): Record<string, string> {
  const target = new URL(url)
  return signRequest(signer, {method, path: target.pathname + target.search, host: target.host, body: Buffer.from(body)}, Date.now(), new Uint8Array(randomBytes(REQUEST_NONCE_BYTES)))
}

/** POSTs `body`, signed by `options.signer` (default: the fixture's auditor; null: unsigned), with extra headers. */
export async function post(url: string, body: string, options: {signer?: Signer | null; headers?: Record<string, string>} = {}): Promise<{status: number; text: string; json: any}> {
  const signer = options.signer === undefined ? defaultSigner : options.signer ?? undefined
  const signature = signer === undefined ? {} : signedHeaders(signer, 'POST', url, body)
  const response = await fetch(url, {method: 'POST', headers: {'content-type': 'application/json', ...signature, ...options.headers}, body})
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return {status: response.status, text, json}
}

/** An upload that sends its headers and a first piece of body, then stalls; `status` settles on the reply. */
export interface SlowUpload {
  readonly socket: Socket
  readonly status: Promise<number | undefined>
}

export function slowUpload(port: number, headers: Record<string, string | number>, firstBytes: string): SlowUpload {
  const socket = connect(port, '127.0.0.1')
  const head = Object.entries({host: '127.0.0.1', 'content-type': 'application/json', ...headers}).map(([name, value]) => `${name}: ${value}\r\n`).join('')
  socket.write(`POST / HTTP/1.1\r\n${head}\r\n${firstBytes}`)
  const status = new Promise<number | undefined>((resolve) => {
    let received = ''
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1')
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received)
      if (match !== null) resolve(Number(match[1]))
    })
    socket.on('error', () => resolve(undefined))
    socket.on('close', () => resolve(undefined))
  })
  return {socket, status}
}
