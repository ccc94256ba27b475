/**
 * Who may ask what of a node's RPC port. Loopback is no authority: every JSON-RPC method but
 * `tx.send` (whose tx is signed and checked at admission) and every GET but `/health` needs a
 * request signed by an account (core/authz/request.ts) whose roles meet the policy of the
 * method's resource on the chain the call targets (METHOD_RESOURCES, the one table).
 *
 * Before any of that, what a browser page could send is refused even when signed
 * (`checkHttpRequest`): a Host that is not one of the node's names (DNS rebinding), an Origin
 * other than the node's own (cross-origin), and a POST whose content type is not
 * application/json (CSRF: forms and `text/plain` fetches need no preflight).
 */
import type {IncomingHttpHeaders} from 'node:http'
import {isIP} from 'node:net'
import {requireAuthorized} from '../core/authz/authorize.js'
import {NonceCache, readRequestHeaders, verifySignedRequest, type VerifiedRequest} from '../core/authz/request.js'
import {ConsortiumView} from '../core/chain/consortium/view.js'
import {WichainError} from '../core/errors.js'
import {RPC_REQUEST_CLOCK_SKEW_MS_MAX, RPC_REQUEST_NONCES_MAX} from '../core/limits.js'
import type {Node} from '../core/node/node.js'

/**
 * The resource each JSON-RPC method needs (null: open). Reads → `chain.read`; node status and
 * metrics → `metrics.read`; archive steps and listing → `archive.run`; the block download
 * backups read → `backup.create`. A method missing here is refused (rpc-batch.ts `authorize`).
 */
export const METHOD_RESOURCES: Readonly<Record<string, string | null>> = Object.freeze({
  'tx.send': null,
  'tx.wait': 'chain.read',
  'tx.get': 'chain.read',
  'tx.proof': 'chain.read',
  'block.get': 'chain.read',
  'chain.status': 'chain.read',
  'contract.query': 'chain.read',
  'cert.check': 'chain.read',
  'node.status': 'metrics.read',
  'chain.blocks': 'backup.create',
  'archive.run': 'archive.run',
  'archive.restore': 'archive.run',
  'archive.list': 'archive.run',
})

/** GET paths: `/health` is open (probes and load balancers); `/metrics` needs `metrics.read`. */
export const GET_RESOURCES: Readonly<Record<string, string | null>> = Object.freeze({
  '/health': null,
  '/metrics': 'metrics.read',
})

/** Resources a request signed by the node's own key may use on that node: its operator starting and watching it. */
const NODE_KEY_RESOURCES: ReadonlySet<string> = new Set(['metrics.read'])

export interface HttpPolicy {
  /** Host names (no port) the node answers to. */
  readonly hosts: ReadonlySet<string>
  /** The port it listens on (a Host with another port is refused). */
  readonly port: number
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1']

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  return bare === 'localhost' || (isIP(bare) === 4 && bare.startsWith('127.')) || bare === '::1'
}

/** The loopback names plus the configured RPC host and any configured extra names. */
export function httpPolicyOf(endpoint: {host: string; port: number; hosts?: readonly string[]}, port = endpoint.port): HttpPolicy {
  const names = [...LOOPBACK_NAMES, endpoint.host, ...(endpoint.hosts ?? [])].map((name) => name.replace(/^\[|\]$/g, '').toLowerCase())
  return {hosts: new Set(names), port}
}

function splitHost(header: string): {name: string; port: string | undefined} | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header)
  if (match === null) return undefined
  return {name: match[1]!.replace(/^\[|\]$/g, '').toLowerCase(), port: match[2]}
}

function refuse(message: string, details: Record<string, unknown>): WichainError {
  return new WichainError('REQUEST_REFUSED', message, details)
}

/** REQUEST_REFUSED for a foreign Host or Origin, or a POST that is not application/json. */
export function checkHttpRequest(method: string, headers: IncomingHttpHeaders, policy: HttpPolicy): void {
  const host = headers.host
  const parsed = host === undefined ? undefined : splitHost(host)
  if (parsed === undefined || !policy.hosts.has(parsed.name) || (parsed.port !== undefined && Number(parsed.port) !== policy.port)) {
    throw refuse(`Host ${JSON.stringify(host ?? '')} is not one of this node's names (${[...policy.hosts].join(', ')}); add it to rpc.hosts in config.json if it is`, {host: host ?? null})
  }
  const origin = headers.origin
  if (origin !== undefined && !sameOrigin(origin, host!)) {
    throw refuse(`cross-origin request from ${JSON.stringify(origin)} refused: a web page may not call this node`, {origin})
  }
  if (method === 'POST') {
    const type = (headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase()
    if (type !== 'application/json') throw refuse(`content type ${JSON.stringify(headers['content-type'] ?? '')} refused: JSON-RPC requests are application/json`, {contentType: headers['content-type'] ?? null})
  }
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    const url = new URL(origin)
    return url.protocol === 'http:' && url.host.toLowerCase() === host.toLowerCase()
  } catch {
    return false
  }
}

/** Who signed an HTTP request: verifies it (signature, freshness, nonce) or says it is unsigned. */
export class RequestAuthenticator {
  readonly nonces: NonceCache

  constructor(
    options: {skewMs?: number; noncesMax?: number} = {},
    private readonly now: () => number = Date.now,
  ) {
    this.nonces = new NonceCache(options.skewMs ?? RPC_REQUEST_CLOCK_SKEW_MS_MAX, options.noncesMax ?? RPC_REQUEST_NONCES_MAX)
  }

  /** The verified signer, or undefined for an unsigned request (refused later, per call, if it needs one). */
  authenticate(request: {method: string; path: string; headers: IncomingHttpHeaders}, body: Uint8Array): VerifiedRequest | undefined {
    const signed = readRequestHeaders(request.headers)
    if (signed === undefined) return undefined
    return verifySignedRequest(signed, {method: request.method, path: request.path, host: request.headers.host ?? '', body}, this.now(), this.nonces)
  }
}

/** The consortium as `chainId`'s committed state (or, on a header-only node, its genesis) knows it. */
export function directoryOf(node: Node, chainId: string | undefined): ConsortiumView {
  const headers = node.headerChain(chainId)
  if (headers !== undefined) return new ConsortiumView(headers.genesis, () => undefined)
  return node.chain(chainId).directory()
}

/**
 * Throws unless `caller` may use `resource` on the chain: UNAUTHORIZED naming the resource and
 * its policy, or, unsigned, saying how to sign (ACCOUNT_DISABLED for a disabled account). The
 * node's own key may read its status and metrics.
 */
export function authorizeCall(node: Node, resource: string | null, caller: VerifiedRequest | undefined, chainId: string | undefined): void {
  if (resource === null) return
  if (caller === undefined) {
    throw new WichainError('UNAUTHORIZED', `${resource} needs a signed request: pass --key FILE (or set WICHAIN_KEY) with an account allowed to ${resource}`, {resource, reason: 'unsigned'})
  }
  if (caller.publicKey === node.nodeId && NODE_KEY_RESOURCES.has(resource)) return
  const directory = directoryOf(node, chainId)
  try {
    requireAuthorized(directory, resource, caller.address)
  } catch (error) {
    // A disabled account is told so (as admission tells it for a tx), not that it lacks a role.
    const disabled = directory.account(caller.address)?.disabled
    if (disabled === undefined) throw error
    throw new WichainError('ACCOUNT_DISABLED', `account ${caller.address} is disabled on chain "${directory.genesis.chainId}" since height ${disabled.height}: ${disabled.reason}`, {
      address: caller.address,
      height: disabled.height,
      resource,
    })
  }
}
