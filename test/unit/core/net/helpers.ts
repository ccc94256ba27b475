/** Shared helpers for the network tests: capturing logger, polling waits, node factories. */
import {generateKeyPair, type KeyPair} from '../../../../src/core/crypto/index.js'
import {toHex} from '../../../../src/core/bytes.js'
import type {Logger} from '../../../../src/core/log.js'
import {NetworkNode, type NetworkNodeOptions} from '../../../../src/core/net/index.js'

export interface LogEntry {
  readonly level: string
  readonly message: string
  readonly context: Record<string, unknown>
}

export function captureLogger(entries: LogEntry[] = [], base: Record<string, unknown> = {}): Logger & {entries: LogEntry[]} {
  const emit = (level: string) => (message: string, context?: Record<string, unknown>) => {
    entries.push({level, message, context: {...base, ...context}})
  }
  return {
    entries,
    debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'),
    child: (context) => captureLogger(entries, {...base, ...context}),
  }
}

/** Polls until `predicate` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

export interface TestIdentity {
  readonly keyPair: KeyPair
  readonly hex: string
}

export function identity(): TestIdentity {
  const keyPair = generateKeyPair()
  return {keyPair, hex: toHex(keyPair.publicKey)}
}

/** Fast limits so reconnect and timeout tests finish quickly. */
export const FAST_LIMITS = Object.freeze({
  reconnectDelayMsMin: 20, reconnectDelayMsMax: 200, handshakeTimeoutMs: 2_000, connectTimeoutMs: 2_000, drainTimeoutMs: 500,
})

export interface Received {
  readonly from: string
  readonly channel: string
  readonly text: string
}

export interface TestNode {
  readonly node: NetworkNode
  readonly received: Received[]
  readonly logs: LogEntry[]
  readonly port: number
}

export async function startNode(
  who: TestIdentity,
  allowed: Set<string>,
  options: Partial<NetworkNodeOptions> = {},
): Promise<TestNode> {
  const logs: LogEntry[] = []
  const node = await NetworkNode.start({
    nodeKey: who.keyPair, networkId: 'chain-a', isAllowed: (key) => allowed.has(key),
    limits: FAST_LIMITS, logger: captureLogger(logs), ...options,
  })
  const received: Received[] = []
  node.onMessage((from, channel, body) => received.push({from, channel, text: Buffer.from(body).toString('utf8')}))
  return {node, received, logs, port: node.address().port}
}

export function text(value: string): Uint8Array {
  return new TextEncoder().encode(value)
}
