/**
 * What every whole-node run must satisfy. Safety, checked at every commit: no two different blocks
 * at one height anywhere. After the faults heal, within the scenario's bound: every live honest
 * node at the same head, every client tx committed; then, read back from each node's store: the
 * same block (hash and state root) at every height, and every committed tx readable on every node.
 */
import {toHex} from '../bytes.js'
import type {Chain} from '../chain/chain.js'
import {fromHex} from '../bytes.js'

export class SafetyLog {
  private readonly byHeight = new Map<number, {hash: string; node: number}>()

  /** The violation, if this commit contradicts an earlier one. */
  record(node: number, height: number, hash: string): string | undefined {
    const seen = this.byHeight.get(height)
    if (seen === undefined) {
      this.byHeight.set(height, {hash, node})
      return undefined
    }
    if (seen.hash === hash) return undefined
    return `two blocks at height ${height}: node${seen.node} committed ${seen.hash.slice(0, 16)}, node${node} committed ${hash.slice(0, 16)}`
  }
}

/** Heads equal and every tx in every store (a cheap test first: it runs often while healing). */
export function converged(chains: readonly Chain[], txHashes: readonly string[]): boolean {
  if (chains.length === 0) return false
  const head = chains[0]!.head()
  if (!chains.every((chain) => chain.head().height === head.height && toHex(chain.head().hash) === toHex(head.hash))) return false
  const hashes = txHashes.map((hash) => fromHex(hash))
  return chains.every((chain) => hashes.every((hash) => chain.ledger.hasTxSync(hash)))
}

/** The stores agree block by block and tx by tx; returns the problems found (empty when none). */
export async function compareStores(named: readonly {name: string; chain: Chain}[]): Promise<string[]> {
  const problems: string[] = []
  if (named.length === 0) return problems
  const reference = named[0]!
  const top = Math.min(...named.map(({chain}) => chain.head().height))
  for (let height = 1; height <= top; height++) {
    const block = await reference.chain.getBlock(height)
    if (block === undefined) {
      problems.push(`${reference.name} lacks block ${height}`)
      continue
    }
    for (const {name, chain} of named.slice(1)) {
      const other = await chain.getBlock(height)
      if (other === undefined) problems.push(`${name} lacks block ${height}`)
      else if (other.hashHex !== block.hashHex) problems.push(`height ${height}: ${name} has block ${other.hashHex.slice(0, 16)}, ${reference.name} ${block.hashHex.slice(0, 16)}`)
      else if (toHex(other.header.stateRoot) !== toHex(block.header.stateRoot)) problems.push(`height ${height}: state roots differ (${name})`)
    }
    for (const [index, tx] of block.txs.entries()) {
      for (const {name, chain} of named) {
        const location = await chain.getTxLocation(tx.hashHex)
        if (location === undefined || location.height !== height || location.index !== index) problems.push(`tx ${tx.hashHex.slice(0, 16)} (block ${height}) not readable on ${name}`)
      }
    }
    if (problems.length > 20) break
  }
  return problems
}
