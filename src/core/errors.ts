/**
 * One error hierarchy for the whole project. Every operating error carries a stable `code`;
 * the table below maps each code once to a CLI exit code, an HTTP status and a JSON-RPC code.
 * Programmer errors (assertion failures) are not WichainErrors: they crash.
 */

export interface ErrorMapping {
  readonly exit: number
  readonly http: number
  readonly rpc: number
  readonly description: string
}

/** Exit-code families, listed in `wichain help`. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  invalidInput: 4,
  verificationFailed: 5,
  unavailable: 6,
  conflict: 7,
  storage: 8,
} as const

export const ERROR_CODES = {
  INTERNAL: {exit: EXIT.failed, http: 500, rpc: -32603, description: 'unexpected internal error'},
  OPERATION_FAILED: {exit: EXIT.failed, http: 500, rpc: -32000, description: 'the operation failed'},
  USAGE: {exit: EXIT.usage, http: 400, rpc: -32602, description: 'bad flags or arguments'},
  INVALID_ARGUMENT: {exit: EXIT.usage, http: 400, rpc: -32602, description: 'an argument has a bad value'},
  NOT_FOUND: {exit: EXIT.notFound, http: 404, rpc: -32004, description: 'no such object'},
  FILE_NOT_FOUND: {exit: EXIT.notFound, http: 404, rpc: -32004, description: 'no such file'},
  DECODE_ERROR: {exit: EXIT.invalidInput, http: 400, rpc: -32700, description: 'bytes do not decode to the expected structure'},
  INVALID_TX: {exit: EXIT.invalidInput, http: 400, rpc: -32010, description: 'transaction is malformed or fails a rule'},
  BAD_SIGNATURE: {exit: EXIT.invalidInput, http: 400, rpc: -32011, description: 'signature does not verify'},
  WRONG_CHAIN: {exit: EXIT.invalidInput, http: 400, rpc: -32012, description: 'transaction is for another chain'},
  TX_EXPIRED: {exit: EXIT.invalidInput, http: 400, rpc: -32013, description: 'transaction expiry height has passed or is too far ahead'},
  DUPLICATE_TX: {exit: EXIT.conflict, http: 409, rpc: -32014, description: 'transaction already known (replay)'},
  MEMPOOL_FULL: {exit: EXIT.unavailable, http: 503, rpc: -32015, description: 'mempool is full; retry later'},
  UNKNOWN_CONTRACT: {exit: EXIT.invalidInput, http: 400, rpc: -32016, description: 'no such contract or method'},
  CONTRACT_ERROR: {exit: EXIT.failed, http: 422, rpc: -32017, description: 'contract refused the call'},
  INVALID_WASM: {exit: EXIT.invalidInput, http: 400, rpc: -32019, description: 'contract code is not an acceptable WebAssembly module'},
  CONTRACT_TRAP: {exit: EXIT.failed, http: 422, rpc: -32022, description: 'contract trapped or misused the host API'},
  OUT_OF_GAS: {exit: EXIT.failed, http: 422, rpc: -32023, description: 'contract call ran out of gas'},
  BUILD_FAILED: {exit: EXIT.invalidInput, http: 400, rpc: -32024, description: 'contract source failed to compile'},
  CONTRACT_FROZEN: {exit: EXIT.conflict, http: 423, rpc: -32025, description: 'contract is frozen: calls are refused until it is unfrozen'},
  CONTRACT_DESTROYED: {exit: EXIT.conflict, http: 410, rpc: -32026, description: 'contract is destroyed: calls are refused for good'},
  PAYLOAD_TOO_LARGE: {exit: EXIT.invalidInput, http: 413, rpc: -32018, description: 'input exceeds a size limit'},
  KEY_ERROR: {exit: EXIT.invalidInput, http: 400, rpc: -32020, description: 'key or keystore is invalid'},
  WRONG_PASSWORD: {exit: EXIT.invalidInput, http: 401, rpc: -32021, description: 'keystore password is wrong'},
  UNAUTHORIZED: {exit: EXIT.invalidInput, http: 403, rpc: -32031, description: 'the sender lacks the role or permission'},
  REQUEST_EXPIRED: {exit: EXIT.invalidInput, http: 401, rpc: -32034, description: 'the signed request\'s timestamp is outside the node\'s window (check the clock)'},
  REQUEST_REPLAYED: {exit: EXIT.invalidInput, http: 401, rpc: -32035, description: 'the signed request\'s nonce was already used (a replay)'},
  REQUEST_REFUSED: {exit: EXIT.invalidInput, http: 403, rpc: -32036, description: 'HTTP request refused: unknown Host, cross-origin, or not application/json'},
  ACCOUNT_DISABLED: {exit: EXIT.invalidInput, http: 403, rpc: -32032, description: 'the sender account is disabled by an org admin (incident response)'},
  VERIFICATION_FAILED: {exit: EXIT.verificationFailed, http: 422, rpc: -32030, description: 'a signature, proof or certificate does not verify'},
  ALREADY_EXISTS: {exit: EXIT.conflict, http: 409, rpc: -32040, description: 'object already exists'},
  NOT_EMPTY: {exit: EXIT.conflict, http: 409, rpc: -32041, description: 'target directory is not empty'},
  NODE_RUNNING: {exit: EXIT.conflict, http: 409, rpc: -32042, description: 'a node already runs on this home'},
  NODE_NOT_RUNNING: {exit: EXIT.unavailable, http: 503, rpc: -32043, description: 'no node runs on this home'},
  UNAVAILABLE: {exit: EXIT.unavailable, http: 503, rpc: -32050, description: 'node unreachable or not ready'},
  CHAIN_HALTED: {exit: EXIT.unavailable, http: 503, rpc: -32054, description: 'the chain halted on a fault (storage, broken invariant); see node status for the reason'},
  TIMEOUT: {exit: EXIT.unavailable, http: 504, rpc: -32051, description: 'timed out waiting'},
  HANDSHAKE_FAILED: {exit: EXIT.unavailable, http: 502, rpc: -32052, description: 'secure handshake with a peer node failed'},
  PEER_REFUSED: {exit: EXIT.unavailable, http: 403, rpc: -32053, description: 'peer node refused: not on the allowed node list or another network'},
  STORAGE_ERROR: {exit: EXIT.storage, http: 500, rpc: -32060, description: 'storage failed'},
  CORRUPT_DATA: {exit: EXIT.storage, http: 500, rpc: -32061, description: 'stored data failed an integrity check'},
  PROPOSAL_EXPIRED: {exit: EXIT.invalidInput, http: 400, rpc: -32070, description: 'the proposal is past its expiry height: it can no longer be voted on or executed'},
  PROPOSAL_CLOSED: {exit: EXIT.conflict, http: 409, rpc: -32071, description: 'the proposal is no longer voting (executed, failed, rejected or revoked)'},
  VOTE_EXPIRED: {exit: EXIT.invalidInput, http: 400, rpc: -32072, description: 'the signed vote is past its own expiry height'},
  RPC_METHOD_NOT_FOUND: {exit: EXIT.usage, http: 404, rpc: -32601, description: 'no such RPC method'},
  RPC_INVALID_REQUEST: {exit: EXIT.usage, http: 400, rpc: -32600, description: 'not a JSON-RPC 2.0 request'},
} as const satisfies Record<string, ErrorMapping>

export type ErrorCode = keyof typeof ERROR_CODES

export class WichainError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'WichainError'
    this.code = code
    this.details = details
  }

  get mapping(): ErrorMapping {
    return ERROR_CODES[this.code]
  }

  toObject(): {code: ErrorCode; message: string; details?: Record<string, unknown>} {
    return this.details === undefined
      ? {code: this.code, message: this.message}
      : {code: this.code, message: this.message, details: this.details}
  }
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code)
}

/** Wrap anything thrown into a WichainError (unknown errors become INTERNAL). */
export function toWichainError(error: unknown): WichainError {
  if (error instanceof WichainError) return error
  if (error instanceof Error) {
    const errno = (error as NodeJS.ErrnoException).code
    if (errno === 'ENOENT') return new WichainError('FILE_NOT_FOUND', error.message, undefined, {cause: error})
    if (errno === 'ENOSPC' || errno === 'EIO' || errno === 'EROFS') {
      return new WichainError('STORAGE_ERROR', error.message, undefined, {cause: error})
    }
    if (errno === 'ECONNREFUSED' || errno === 'ECONNRESET') {
      return new WichainError('UNAVAILABLE', error.message, undefined, {cause: error})
    }
    return new WichainError('INTERNAL', error.message, undefined, {cause: error})
  }
  return new WichainError('INTERNAL', String(error))
}

/** Rebuild a WichainError from `{code, message}` received over RPC. */
export function errorFromObject(object: {code?: unknown; message?: unknown; data?: unknown}): WichainError {
  const data = object.data as {code?: unknown; details?: Record<string, unknown>} | undefined
  const code = isErrorCode(data?.code) ? data.code : isErrorCode(object.code) ? object.code : 'OPERATION_FAILED'
  return new WichainError(code, String(object.message ?? 'error'), data?.details)
}
