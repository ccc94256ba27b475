/**
 * Sign a tx, send it to a node and wait for its commit: the path `tx send` takes, shared by the
 * commands that act through txs (contract deploy/upgrade/freeze/call …). A tx that commits but
 * fails becomes a WichainError with the receipt's code; its txHash, height and gasUsed are in
 * the error's details.
 */
import {Flags} from '@oclif/core'
import {createSigner} from '../core/crypto/index.js'
import {strictJsonRule} from '../core/codec/strict-json.js'
import {isErrorCode, WichainError} from '../core/errors.js'
import {createTx, parseTxArgs, TX_LIMITS} from '../core/types/tx.js'
import {clientFor, loadKey} from './context.js'
import {chainFlag, homeFlag, keyFlag, passwordFileFlag, rpcFlag} from './flags.js'

export const COMMIT_TIMEOUT_MS_MAX = 60_000

/** Flags of every command that sends a tx and waits for it. */
export function sendFlags() {
  return {
    rpc: rpcFlag(),
    home: homeFlag(),
    chain: chainFlag(),
    key: keyFlag({required: true}),
    'password-file': passwordFileFlag(),
    'timeout-ms': Flags.integer({description: 'how long to wait for the commit', default: 30_000, min: 1, max: COMMIT_TIMEOUT_MS_MAX}),
  }
}

export interface SendOptions {
  readonly rpc?: string
  readonly home?: string
  readonly chain?: string
  readonly key?: string
  readonly 'password-file'?: string
  readonly 'timeout-ms'?: number
}

export interface TxRequestJson {
  readonly contract: string
  readonly method: string
  /** A JSON value, or JSON text signed as typed (an `--args` flag read by parseArgsFlag). */
  readonly args: unknown
}

export interface CommittedReceipt {
  readonly txHash: string
  readonly height: number
  readonly status: 'ok'
  readonly result: unknown
  readonly gasUsed: number
  readonly events: ReadonlyArray<{name: string; data: unknown}>
}

interface ReceiptJson {
  readonly result?: unknown
  readonly gasUsed?: number
  readonly events?: ReadonlyArray<{name: string; data: unknown}>
  readonly error?: {code: string; message: string} | null
}

/**
 * JSON text of the args (text as given, or a value serialised), refused here with a clear message
 * when a tx could not carry it: too large (PAYLOAD_TOO_LARGE), or not args a node admits
 * (INVALID_TX naming the rule or limit: duplicate keys, nesting, sizes, numbers beyond
 * ±(2^53-1), lone surrogates; types/tx.ts parseTxArgs). Args are an object, so a string is text.
 */
export function argsText(args: unknown, what = 'arguments'): string {
  const text = typeof args === 'string' ? args : JSON.stringify(args ?? {})
  checkArgsText(text, what)
  return text
}

/**
 * `--args` JSON text as given, checked as a node would check it (types/tx.ts parseTxArgs): text
 * that is not JSON is USAGE; JSON a node refuses (duplicate keys, too deep, a lone surrogate, an
 * unsafe number …) is INVALID_TX with the reason. Sent as typed: the signed text is the user's.
 */
export function parseArgsFlag(text: string, flag = '--args'): string {
  checkArgsText(text, flag, (error) => {
    if (strictJsonRule(error) !== 'syntax') return undefined
    return new WichainError('USAGE', `${flag} must be JSON, e.g. '{"key":"k1","hash":"…"}' (${error.message.replace(/^tx args are not valid JSON: /, '')})`)
  })
  return text
}

/** PAYLOAD_TOO_LARGE or parseTxArgs's error, prefixed with `what`; `usage` may restate the latter. */
function checkArgsText(text: string, what: string, usage: (error: WichainError) => WichainError | undefined = () => undefined): void {
  const bytes = Buffer.byteLength(text)
  if (bytes > TX_LIMITS.argsBytesMax) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `${what} are ${bytes} bytes of JSON; a tx carries at most ${TX_LIMITS.argsBytesMax}`)
  }
  try {
    parseTxArgs(text)
  } catch (error) {
    if (!(error instanceof WichainError)) throw error
    throw usage(error) ?? new WichainError(error.code, `${what}: ${error.message}; no node would accept this tx`, error.details)
  }
}

/** Send `request` signed with --key; resolve with the receipt once committed with status ok. */
export async function sendAndWait(flags: SendOptions, request: TxRequestJson): Promise<CommittedReceipt> {
  const client = clientFor(flags)
  const signer = createSigner(await loadKey(flags))
  const status = (await client.chainStatus()) as {chainId: string; height: number; txExpiryWindow?: number}
  const tx = createTx(
    {chainId: status.chainId, contract: request.contract, method: request.method, args: argsText(request.args), expiry: status.height + (status.txExpiryWindow ?? 1)},
    signer,
  )
  const timeoutMs = flags['timeout-ms'] ?? 30_000
  const sent = await client.sendTx(tx, timeoutMs)
  if (sent.status === 'pending' || sent.status === 'unknown') {
    throw new WichainError('TIMEOUT', `tx ${tx.hashHex} not committed within ${timeoutMs} ms (still pending)`, {...sent})
  }
  const found = await client.getTx(tx.hashHex)
  const receipt = found.receipt as ReceiptJson
  const details = {txHash: tx.hashHex, height: sent.height ?? null, gasUsed: receipt.gasUsed ?? 0}
  if (sent.status === 'failed') {
    const code = isErrorCode(receipt.error?.code) ? receipt.error.code : 'CONTRACT_ERROR'
    throw new WichainError(code, `tx ${tx.hashHex} failed: ${receipt.error?.message ?? 'unknown reason'}`, details)
  }
  return {txHash: tx.hashHex, height: sent.height!, status: 'ok', result: receipt.result ?? null, gasUsed: receipt.gasUsed ?? 0, events: receipt.events ?? []}
}
