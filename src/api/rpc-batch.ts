/**
 * Answers to one HTTP request's JSON-RPC call or batch, under a byte budget. Each answer is
 * serialised as soon as it is computed (the result object is dropped right away) and charged
 * with its size to the request's budget and to the node-wide bytes-in-flight allowance; once the
 * budget is used up, the remaining entries get PAYLOAD_TOO_LARGE "answer budget exhausted"
 * without being computed. A batch runs at most `batchConcurrency` entries at once and its heavy
 * methods (block and tx reads, archive steps) one at a time. An answer that cannot be
 * serialised becomes an INTERNAL error (HTTP 500 for a single call): never an empty reply.
 */
import {ERROR_CODES, toWichainError, WichainError} from '../core/errors.js'
import type {VerifiedRequest} from '../core/authz/request.js'
import type {Node} from '../core/node/node.js'
import type {RpcContext, RpcMethod} from './methods.js'
import {optionalChain} from './params.js'
import {authorizeCall} from './rpc-auth.js'
import type {ByteBudget} from './rpc-body.js'

/** Methods that only touch in-memory state; every other method counts as heavy. */
const LIGHT_METHODS: ReadonlySet<string> = new Set(['node.status', 'chain.status', 'tx.send', 'tx.wait'])

export interface BatchLimits {
  readonly batchConcurrency: number
  readonly answerBytesMax: number
}

/** One serialised answer; `status` is the HTTP status it calls for when it is a single call's. */
export interface Answer {
  readonly text: string
  readonly bytes: number
  readonly status: number
}

type RpcId = string | number | null

/** What one request's answers share: the budget left and the bytes it holds in flight. */
export class AnswerScope {
  bytesLeft: number
  inFlightBytes = 0
  #heavy: Promise<unknown> = Promise.resolve()

  constructor(
    readonly node: Node,
    readonly methods: Readonly<Record<string, RpcMethod>>,
    readonly limits: BatchLimits,
    readonly inFlight: ByteBudget,
    /** Who signed the HTTP request (undefined: unsigned) and the resource each method needs. */
    readonly access: {readonly caller: VerifiedRequest | undefined; readonly resources: Readonly<Record<string, string | null>>},
  ) {
    this.bytesLeft = limits.answerBytesMax
  }

  /** Runs heavy work of this request one piece at a time, in entry order. */
  serialHeavy<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#heavy.then(work, work)
    this.#heavy = run.catch(() => undefined)
    return run
  }

  /** Gives the node-wide allowance back (call once the response is written or abandoned). */
  release(): void {
    this.inFlight.give(this.inFlightBytes)
    this.inFlightBytes = 0
  }
}

function errorBody(error: unknown): {code: number; message: string; data: {code: string; details?: unknown}} {
  const failure = toWichainError(error)
  return {code: ERROR_CODES[failure.code].rpc, message: failure.message, data: {code: failure.code, details: failure.details}}
}

/** An error answer (small by construction; charged but never refused). */
export function errorAnswer(scope: AnswerScope | undefined, id: RpcId, error: unknown, status: number): Answer {
  let text: string
  try {
    text = JSON.stringify({jsonrpc: '2.0', id, error: errorBody(error)})
  } catch {
    text = JSON.stringify({jsonrpc: '2.0', id, error: errorBody(new WichainError('INTERNAL', 'error could not be serialised'))})
  }
  const bytes = Buffer.byteLength(text)
  if (scope !== undefined) scope.bytesLeft -= bytes
  return {text, bytes, status}
}

const httpOf = (code: keyof typeof ERROR_CODES): number => ERROR_CODES[code].http

/** Once one answer did not fit, the budget counts as used up: later entries are not computed. */
function exhausted(scope: AnswerScope, id: RpcId): Answer {
  scope.bytesLeft = 0
  return errorAnswer(scope, id, new WichainError('PAYLOAD_TOO_LARGE', 'answer budget exhausted', {answerBytesMax: scope.limits.answerBytesMax}), httpOf('PAYLOAD_TOO_LARGE'))
}

/** Serialises a result and charges it; an unserialisable or over-budget result becomes an error. */
function resultAnswer(scope: AnswerScope, id: RpcId, result: unknown): Answer {
  let text: string
  try {
    text = JSON.stringify({jsonrpc: '2.0', id, result})
  } catch (error) {
    const failure = new WichainError('INTERNAL', `the answer could not be serialised: ${(error as Error).message}`)
    return errorAnswer(scope, id, failure, httpOf('INTERNAL'))
  }
  const bytes = Buffer.byteLength(text)
  if (bytes > scope.bytesLeft) return exhausted(scope, id)
  if (!scope.inFlight.tryTake(bytes)) {
    return errorAnswer(scope, id, new WichainError('UNAVAILABLE', 'the node holds too many answers; retry later'), httpOf('UNAVAILABLE'))
  }
  scope.inFlightBytes += bytes
  scope.bytesLeft -= bytes
  return {text, bytes, status: 200}
}

/** The id to answer with: the request's if it is a JSON-RPC 2.0 id (string, number, null). */
function idOf(request: unknown): {id: RpcId; valid: boolean} {
  const id = (request as {id?: unknown} | null)?.id
  if (id === undefined || id === null) return {id: null, valid: true}
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) return {id, valid: true}
  return {id: null, valid: false}
}

/** The caller may call `name` on the chain it targets (a method missing from the resource table never may). */
function authorize(scope: AnswerScope, name: string, params: Record<string, unknown>): void {
  if (!Object.hasOwn(scope.access.resources, name)) throw new WichainError('UNAUTHORIZED', `RPC method "${name}" has no resource: refused`, {method: name})
  authorizeCall(scope.node, scope.access.resources[name]!, scope.access.caller, optionalChain(params))
}

/** Answers one call. Request-shape errors carry their HTTP status; a method's own errors 200. */
export async function answerOne(scope: AnswerScope, request: unknown): Promise<Answer> {
  const {id, valid} = idOf(request)
  const candidate = request as {jsonrpc?: unknown; method?: unknown; params?: unknown} | null
  if (!valid || typeof candidate !== 'object' || candidate === null || Array.isArray(candidate) || candidate.jsonrpc !== '2.0' || typeof candidate.method !== 'string') {
    const why = valid ? 'not a JSON-RPC 2.0 request' : 'the id must be a string, a number or null'
    return errorAnswer(scope, id, new WichainError('RPC_INVALID_REQUEST', why), httpOf('RPC_INVALID_REQUEST'))
  }
  const name = candidate.method
  const method = Object.hasOwn(scope.methods, name) ? scope.methods[name] : undefined
  if (method === undefined) return errorAnswer(scope, id, new WichainError('RPC_METHOD_NOT_FOUND', `no RPC method "${name}"`), 200)
  const params = candidate.params ?? {}
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return errorAnswer(scope, id, new WichainError('INVALID_ARGUMENT', 'params must be an object'), 200)
  }
  try {
    authorize(scope, name, params as Record<string, unknown>)
  } catch (error) {
    const failure = toWichainError(error)
    return errorAnswer(scope, id, failure, failure.code === 'UNAUTHORIZED' || failure.code === 'ACCOUNT_DISABLED' ? httpOf(failure.code) : 200)
  }
  const run = async (): Promise<Answer> => {
    if (scope.bytesLeft <= 0) return exhausted(scope, id)
    const context: RpcContext = {answerBytesLeft: scope.bytesLeft}
    let result: unknown
    try {
      result = await method(scope.node, params as Record<string, unknown>, context)
    } catch (error) {
      return errorAnswer(scope, id, error, 200)
    }
    return resultAnswer(scope, id, result)
  }
  return LIGHT_METHODS.has(name) ? run() : scope.serialHeavy(run)
}

/** Answers a batch in order, at most `batchConcurrency` entries at once. */
export async function answerBatch(scope: AnswerScope, requests: readonly unknown[]): Promise<Answer[]> {
  const answers: Answer[] = new Array(requests.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const index = next++
      answers[index] = await answerOne(scope, requests[index])
    }
  }
  await Promise.all(Array.from({length: Math.min(scope.limits.batchConcurrency, requests.length)}, worker))
  return answers
}
