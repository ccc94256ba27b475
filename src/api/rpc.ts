/**
 * JSON-RPC 2.0 over HTTP POST on the node's loopback RPC port. Methods are thin adapters over the
 * Node/Chain API; errors are WichainErrors mapped once through the error table (JSON-RPC code in
 * `error.code`, our string code in `error.data.code`). Requests are size-limited and batch-limited.
 * Plain GETs: `/health` (liveness) and `/metrics` (Prometheus text, see metrics.ts).
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {toWichainError, WichainError, ERROR_CODES} from '../core/errors.js'
import type {Logger} from '../core/log.js'
import type {Node} from '../core/node/node.js'
import {rpcMethods, type RpcParams} from './methods.js'
import {NodeMetrics} from './metrics.js'

export const RPC_LIMITS = Object.freeze({requestBytesMax: 4 * 1024 * 1024, batchMax: 100})

interface RpcRequest {
  jsonrpc: '2.0'
  id?: string | number | null
  method: string
  params?: RpcParams
}

function rpcError(error: unknown): {code: number; message: string; data: {code: string; details?: unknown}} {
  const failure = toWichainError(error)
  return {code: ERROR_CODES[failure.code].rpc, message: failure.message, data: {code: failure.code, details: failure.details}}
}

async function handleOne(node: Node, request: unknown): Promise<unknown> {
  const candidate = request as RpcRequest
  const id = candidate?.id ?? null
  try {
    if (candidate?.jsonrpc !== '2.0' || typeof candidate.method !== 'string') {
      throw new WichainError('RPC_INVALID_REQUEST', 'not a JSON-RPC 2.0 request')
    }
    const method = Object.hasOwn(rpcMethods, candidate.method) ? rpcMethods[candidate.method] : undefined
    if (method === undefined) throw new WichainError('RPC_METHOD_NOT_FOUND', `no RPC method "${candidate.method}"`)
    const params = candidate.params ?? {}
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new WichainError('INVALID_ARGUMENT', 'params must be an object')
    }
    return {jsonrpc: '2.0', id, result: await method(node, params)}
  } catch (error) {
    return {jsonrpc: '2.0', id, error: rpcError(error)}
  }
}

/** Beyond this the connection is cut instead of drained: a client that keeps sending is hostile. */
const DRAIN_BYTES_MAX = 64 * 1024 * 1024

/**
 * Reads the body up to the limit. An oversize body is drained (not buffered) to its end so the
 * client, still writing, gets the 413 instead of a broken pipe.
 */
function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > DRAIN_BYTES_MAX) {
        request.destroy()
        return
      }
      if (size <= RPC_LIMITS.requestBytesMax) chunks.push(chunk)
      else chunks.length = 0
    })
    request.on('end', () => {
      if (size > RPC_LIMITS.requestBytesMax) reject(new WichainError('PAYLOAD_TOO_LARGE', `request exceeds ${RPC_LIMITS.requestBytesMax} bytes`))
      else resolve(Buffer.concat(chunks).toString('utf8'))
    })
    request.on('error', reject)
    // A destroyed request ends without 'end'; settle anyway (a no-op when already settled).
    request.on('close', () => reject(new WichainError('PAYLOAD_TOO_LARGE', 'request body cut off')))
  })
}

async function handleHttp(node: Node, metrics: NodeMetrics, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const reply = (status: number, body: unknown): void => {
    response.writeHead(status, {'content-type': 'application/json'})
    response.end(JSON.stringify(body))
  }
  const path = (request.url ?? '').split('?', 1)[0]
  if (request.method === 'GET' && path === '/health') {
    // 503 while any chain is halted (core/chain/halt.ts), with why: load balancers and probes see it.
    const halted = node.haltedChains()
    return reply(halted.length === 0 ? 200 : 503, halted.length === 0 ? {ok: true} : {ok: false, halted})
  }
  if (request.method === 'GET' && path === '/metrics') {
    const text = await metrics.text()
    response.writeHead(200, {'content-type': metrics.contentType})
    response.end(text)
    return
  }
  if (request.method !== 'POST') return reply(405, {jsonrpc: '2.0', id: null, error: rpcError(new WichainError('RPC_INVALID_REQUEST', 'use POST'))})
  let parsed: unknown
  try {
    parsed = JSON.parse(await readBody(request))
  } catch (error) {
    const failure = error instanceof WichainError ? error : new WichainError('DECODE_ERROR', 'request body is not JSON')
    if (failure.code === 'PAYLOAD_TOO_LARGE') response.setHeader('connection', 'close')
    return reply(ERROR_CODES[failure.code].http, {jsonrpc: '2.0', id: null, error: rpcError(failure)})
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0 || parsed.length > RPC_LIMITS.batchMax) {
      return reply(400, {jsonrpc: '2.0', id: null, error: rpcError(new WichainError('RPC_INVALID_REQUEST', `batch must hold 1..${RPC_LIMITS.batchMax} requests`))})
    }
    return reply(200, await Promise.all(parsed.map((entry) => handleOne(node, entry))))
  }
  return reply(200, await handleOne(node, parsed))
}

export function startRpcServer(node: Node, endpoint: {host: string; port: number}, logger: Logger): Promise<Server> {
  const metrics = new NodeMetrics(node)
  const server = createServer((request, response) => {
    handleHttp(node, metrics, request, response).catch((error: unknown) => {
      logger.error('rpc handler failed', {error: (error as Error).message})
      if (!response.headersSent) response.writeHead(500)
      response.end()
    })
  })
  server.requestTimeout = 120_000
  server.headersTimeout = 10_000
  server.once('close', () => metrics.close())
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new WichainError('UNAVAILABLE', `RPC port ${endpoint.host}:${endpoint.port} is in use`) : error)
    })
    server.listen(endpoint.port, endpoint.host, () => resolve(server))
  })
}
