/**
 * JSON-RPC 2.0 over HTTP POST on the node's loopback RPC port. Methods are thin adapters over the
 * Node/Chain API; errors are WichainErrors mapped once through the error table (JSON-RPC code in
 * `error.code`, our string code in `error.data.code`). Plain GETs: `/health` (liveness) and
 * `/metrics` (Prometheus text, see metrics.ts).
 *
 * Access (rpc-auth.ts): a foreign Host or Origin, or a POST that is not application/json, is
 * refused first (REQUEST_REFUSED, 403); then the request's signature is checked
 * (core/authz/request.ts) and each call authorised for its method's resource (METHOD_RESOURCES)
 * on the chain it targets. `/health` is open; `/metrics` needs `metrics.read` unless the node's
 * config says `metrics: {public: true}` (insecure: anyone reaching the port reads it). A non-loopback
 * `rpc.host` is refused unless `rpc.allowRemote: true`.
 *
 * Bounded everywhere (limits in core/limits.ts, section RPC): connections, header and request
 * timeouts, body bytes per request and buffered across requests (rpc-body.ts), JSON depth,
 * batch size, and answer bytes per request and in flight (rpc-batch.ts). Every reply has a body.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {Counter} from 'prom-client'
import {ERROR_CODES, toWichainError, WichainError} from '../core/errors.js'
import {
  RPC_ANSWER_BYTES_IN_FLIGHT_MAX, RPC_ANSWER_BYTES_MAX, RPC_BATCH_CONCURRENCY, RPC_BATCH_REQUESTS_MAX, RPC_BUFFERED_BODY_BYTES_MAX,
  RPC_CONNECTIONS_MAX, RPC_HEADERS_TIMEOUT_MS, RPC_JSON_DEPTH_MAX, RPC_REQUEST_BYTES_MAX, RPC_REQUEST_TIMEOUT_MS,
  RPC_SMALL_REQUEST_BYTES_MAX, RPC_SMALL_REQUESTS_RESERVED_BYTES,
} from '../core/limits.js'
import type {Logger, LogStats} from '../core/log.js'
import type {Node} from '../core/node/node.js'
import {rpcMethods, type RpcMethod} from './methods.js'
import {NodeMetrics} from './metrics.js'
import {authorizeCall, checkHttpRequest, GET_RESOURCES, httpPolicyOf, isLoopbackHost, METHOD_RESOURCES, RequestAuthenticator, type HttpPolicy} from './rpc-auth.js'
import {AnswerScope, answerBatch, answerOne, errorAnswer, type Answer, type BatchLimits} from './rpc-batch.js'
import {ByteBudget, checkJsonDepth, readBody, type BodyLimits} from './rpc-body.js'

export interface RpcLimits extends BodyLimits, BatchLimits {
  readonly bufferedBodyBytesMax: number
  readonly connectionsMax: number
  readonly headersTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly batchRequestsMax: number
  readonly jsonDepthMax: number
  readonly answerBytesInFlightMax: number
}

export const RPC_LIMITS: RpcLimits = Object.freeze({
  requestBytesMax: RPC_REQUEST_BYTES_MAX,
  smallRequestBytesMax: RPC_SMALL_REQUEST_BYTES_MAX,
  smallRequestsReservedBytes: RPC_SMALL_REQUESTS_RESERVED_BYTES,
  bufferedBodyBytesMax: RPC_BUFFERED_BODY_BYTES_MAX,
  connectionsMax: RPC_CONNECTIONS_MAX,
  headersTimeoutMs: RPC_HEADERS_TIMEOUT_MS,
  requestTimeoutMs: RPC_REQUEST_TIMEOUT_MS,
  batchRequestsMax: RPC_BATCH_REQUESTS_MAX,
  batchConcurrency: RPC_BATCH_CONCURRENCY,
  jsonDepthMax: RPC_JSON_DEPTH_MAX,
  answerBytesMax: RPC_ANSWER_BYTES_MAX,
  answerBytesInFlightMax: RPC_ANSWER_BYTES_IN_FLIGHT_MAX,
})

export interface RpcServerOptions {
  /** The logger's counters, exported as metrics (lines suppressed by the repeat limit, dropped). */
  readonly logStats?: LogStats
  /** Tests: other limits or methods. */
  readonly limits?: Partial<RpcLimits>
  readonly methods?: Readonly<Record<string, RpcMethod>>
  /** Tests: the resource of each method (default METHOD_RESOURCES), another clock or replay window. */
  readonly resources?: Readonly<Record<string, string | null>>
  readonly authenticator?: RequestAuthenticator
}

/** What the RPC endpoint's config may say beyond host and port (NodeConfig rpc and metrics). */
export interface RpcEndpoint {
  readonly host: string
  readonly port: number
  /** More names the node answers to in the Host header (a DNS name for a remote RPC host). */
  readonly hosts?: readonly string[]
  /** A non-loopback host is refused at start unless this is true. */
  readonly allowRemote?: boolean
  /** `GET /metrics` without a signed request (for Prometheus scrapers; insecure). */
  readonly metricsPublic?: boolean
}

interface Shared {
  readonly node: Node
  readonly metrics: NodeMetrics
  readonly limits: RpcLimits
  readonly methods: Readonly<Record<string, RpcMethod>>
  readonly bodies: ByteBudget
  readonly answers: ByteBudget
  readonly resources: Readonly<Record<string, string | null>>
  readonly authenticator: RequestAuthenticator
  readonly metricsPublic: boolean
  /** Set once the server listens (the port is known then). */
  http: HttpPolicy
}

function replyError(response: ServerResponse, error: unknown): void {
  const failure = toWichainError(error)
  const answer = errorAnswer(undefined, null, failure, ERROR_CODES[failure.code].http)
  if (failure.code === 'PAYLOAD_TOO_LARGE' || failure.code === 'UNAVAILABLE' || failure.code === 'REQUEST_REFUSED') response.setHeader('connection', 'close')
  writeAnswers(response, answer.status, [answer], false)
}

/** Writes serialised answers piece by piece (a batch is never joined into one big string). */
function writeAnswers(response: ServerResponse, status: number, answers: readonly Answer[], batch: boolean): void {
  const bytes = answers.reduce((sum, answer) => sum + answer.bytes, 0) + (batch ? answers.length + 1 : 0)
  response.writeHead(status, {'content-type': 'application/json', 'content-length': bytes})
  if (!batch) return void response.end(answers[0]!.text)
  response.write('[')
  answers.forEach((answer, index) => response.write(index === 0 ? answer.text : `,${answer.text}`))
  response.end(']')
}

function identify(shared: Shared, request: IncomingMessage, path: string, body: Uint8Array) {
  return shared.authenticator.authenticate({method: request.method ?? '', path, headers: request.headers}, body)
}

async function handlePost(shared: Shared, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const charge = {bytes: 0}
  let parsed: unknown
  let caller: ReturnType<typeof identify>
  try {
    const body = await readBody(request, shared.limits, shared.bodies, charge)
    caller = identify(shared, request, request.url ?? '', body)
    checkJsonDepth(body, shared.limits.jsonDepthMax)
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      throw new WichainError('DECODE_ERROR', 'request body is not JSON')
    }
  } catch (error) {
    shared.bodies.give(charge.bytes)
    return replyError(response, error)
  }
  // The body's charge is held while its parsed form lives: until the reply is written.
  const scope = new AnswerScope(shared.node, shared.methods, shared.limits, shared.answers, {caller, resources: shared.resources})
  response.once('close', () => {
    shared.bodies.give(charge.bytes)
    scope.release()
  })
  if (!Array.isArray(parsed)) {
    const answer = await answerOne(scope, parsed)
    return writeAnswers(response, answer.status, [answer], false)
  }
  if (parsed.length === 0 || parsed.length > shared.limits.batchRequestsMax) {
    return replyError(response, new WichainError('RPC_INVALID_REQUEST', `batch must hold 1..${shared.limits.batchRequestsMax} requests`))
  }
  writeAnswers(response, 200, await answerBatch(scope, parsed), true)
}

async function handleHttp(shared: Shared, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '').split('?', 1)[0]
  if (request.method === 'GET' && path === '/health') {
    // 503 while any chain is halted (core/chain/halt.ts), with why: load balancers and probes see it.
    const halted = shared.node.haltedChains()
    response.writeHead(halted.length === 0 ? 200 : 503, {'content-type': 'application/json'})
    return void response.end(JSON.stringify(halted.length === 0 ? {ok: true} : {ok: false, halted}))
  }
  try {
    checkHttpRequest(request.method ?? '', request.headers, shared.http)
  } catch (error) {
    return replyError(response, error)
  }
  if (request.method === 'GET' && path === '/metrics') {
    if (!shared.metricsPublic) {
      try {
        authorizeCall(shared.node, GET_RESOURCES['/metrics']!, identify(shared, request, request.url ?? '', new Uint8Array(0)), undefined)
      } catch (error) {
        return replyError(response, error)
      }
    }
    const text = await shared.metrics.text()
    response.writeHead(200, {'content-type': shared.metrics.contentType})
    return void response.end(text)
  }
  if (request.method !== 'POST') {
    const answer = errorAnswer(undefined, null, new WichainError('RPC_INVALID_REQUEST', 'use POST'), 405)
    return writeAnswers(response, 405, [answer], false)
  }
  return handlePost(shared, request, response)
}

/** The logger's counters as Prometheus counters on the node's registry. */
function registerLogCounters(metrics: NodeMetrics, stats: LogStats): void {
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({name, help, registers: [metrics.registry], collect() {
      this.reset()
      this.inc(read())
    }})
  counter('wichain_log_lines_suppressed_total', 'Log lines held back by the repeat limit (summarised as "repeated K times")', () => stats.linesSuppressed)
  counter('wichain_log_lines_dropped_total', 'Log lines lost because the log sink failed (e.g. a full disk)', () => stats.linesDropped)
}

export function startRpcServer(node: Node, endpoint: RpcEndpoint, logger: Logger, options: RpcServerOptions = {}): Promise<Server> {
  if (!isLoopbackHost(endpoint.host)) {
    if (endpoint.allowRemote !== true) {
      return Promise.reject(new WichainError('USAGE', `rpc.host ${endpoint.host} is not a loopback address: set "allowRemote": true under "rpc" in config.json to serve RPC beyond this machine`))
    }
    logger.warn('rpc serves a non-loopback address: every read and node operation still needs a signed request, but the port is reachable from the network', {host: endpoint.host})
  }
  if (endpoint.metricsPublic === true) logger.warn('metrics are public: anyone who reaches the RPC port reads GET /metrics without signing')
  const limits: RpcLimits = Object.freeze({...RPC_LIMITS, ...options.limits})
  const metrics = new NodeMetrics(node)
  if (options.logStats !== undefined) registerLogCounters(metrics, options.logStats)
  const shared: Shared = {
    node, metrics, limits, methods: options.methods ?? rpcMethods,
    bodies: new ByteBudget(limits.bufferedBodyBytesMax), answers: new ByteBudget(limits.answerBytesInFlightMax),
    resources: options.resources ?? METHOD_RESOURCES, authenticator: options.authenticator ?? new RequestAuthenticator(),
    metricsPublic: endpoint.metricsPublic === true, http: httpPolicyOf(endpoint),
  }
  // Timeouts are enforced on this check's beat (Node's default, 30 s, would let a slowloris upload linger).
  const connectionsCheckingInterval = Math.max(50, Math.min(1_000, limits.headersTimeoutMs / 4))
  const server = createServer({connectionsCheckingInterval}, (request, response) => {
    handleHttp(shared, request, response).catch((error: unknown) => {
      logger.error('rpc handler failed', {error: (error as Error).message})
      if (response.headersSent) return void response.destroy()
      replyError(response, new WichainError('INTERNAL', `the request failed: ${(error as Error).message}`))
    })
  })
  server.maxConnections = limits.connectionsMax
  server.requestTimeout = limits.requestTimeoutMs
  server.headersTimeout = limits.headersTimeoutMs
  server.once('close', () => metrics.close())
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new WichainError('UNAVAILABLE', `RPC port ${endpoint.host}:${endpoint.port} is in use`) : error)
    })
    server.listen(endpoint.port, endpoint.host, () => {
      shared.http = httpPolicyOf(endpoint, (server.address() as {port: number}).port)
      resolve(server)
    })
  })
}
