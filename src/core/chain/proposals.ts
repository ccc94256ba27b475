/**
 * The proposal side of one chain: building a block from the mempool, validating a proposed one
 * by re-executing it, and the payload plumbing between the two encodings (proposal.ts) — parsed
 * payloads cached by SM3 of their bytes, compact proposals resolved from the mempool, txs a
 * replica lacks fetched from peers (the message that named them is parked and stepped again).
 *
 * Owns: block assembly, proposal validity, execution results kept until their block commits.
 * Does not own: the serial queue, the engine, commits (chain.ts), admission rules (admission.ts).
 * Every method runs on the chain's serial queue except `txsByHash` (read-only).
 */
import {bytesEqual, fromHex, toHex} from '../bytes.js'
import type {NodeId} from '../consensus/engine.js'
import {sm3} from '../crypto/sm3.js'
import {WichainError} from '../errors.js'
import {nextStateRoot, type Ledger} from '../ledger/index.js'
import type {Logger} from '../log.js'
import {BLOCK_LIMITS, createBlock, encodeBlock, receiptRootOf, txRootOf, type Block} from '../types/block.js'
import {decodeTx, type Tx} from '../types/tx.js'
import {checkTxForBlock, type AdmissionRules} from './admission.js'
import {executeBlock, type BlockExecution, type ExecutionEnvironment} from './executor.js'
import {ExecutionFault} from './faults.js'
import {blockGasMaxOf, type ChainParams, type Genesis} from './genesis.js'
import type {Mempool} from './mempool.js'
import {encodeCompactProposal, parsePayload, resolvePayload, type ParsedPayload} from './proposal.js'

const UNDECODABLE_PAYLOAD_TAG = new TextEncoder().encode('wichain/undecodable-payload')

const EXECUTIONS_MAX = 32
const PAYLOADS_MAX = 8
const RECENT_BLOCKS_MAX = 8

/** What the chain lends its proposal side. */
export interface ProposalHost {
  readonly genesis: Genesis
  readonly ledger: Ledger
  readonly mempool: Mempool
  readonly logger: Logger
  /** This node's public key (the proposer field of blocks it builds). */
  readonly proposer: Uint8Array
  /** Propose header + tx hashes instead of full blocks (PBFT). */
  readonly compact: boolean
  readonly fetchTxs?: (hashes: readonly string[], peer: NodeId | undefined) => Promise<Uint8Array[]>
  head(): {height: number; hash: Uint8Array}
  /** State root and timestamp of the head block. */
  tip(): {stateRoot: Uint8Array; timestamp: number}
  now(): number
  /** The chain parameters for the next block (genesis, or changed at run time). */
  params(): ChainParams
  rules(): AdmissionRules
  environment(): ExecutionEnvironment
  /** Step a consensus message again: one parked for lack of txs, once they arrived. */
  restep(from: NodeId, bytes: Uint8Array): Promise<void>
}

export interface Executed {
  readonly block: Block
  readonly execution: BlockExecution
}

export class Proposals {
  private readonly executions = new Map<string, Executed>()
  /** Parsed consensus payloads by SM3 of their bytes, with the resolved block once known. */
  private readonly payloads = new Map<string, {parsed: ParsedPayload; block?: Block}>()
  /** Txs fetched from peers for a compact proposal (checked when the proposal is validated). */
  private readonly fetched = new Map<string, Tx>()
  /** Recently committed blocks by hash: a laggard asking for one gets it self-contained. */
  private readonly recentBlocks = new Map<string, Block>()
  /** The consensus message being stepped (set by the chain), and one parked for lack of txs. */
  stepping: {from: NodeId; bytes: Uint8Array} | undefined
  private parked: {from: NodeId; bytes: Uint8Array} | undefined
  private fetching = false

  constructor(private readonly host: ProposalHost) {}

  /** A block of mempool txs for `height` and its payload, or undefined if none is includable. */
  build(height: number): {block: Block; payload: Uint8Array} | undefined {
    const {host} = this
    const rules = host.rules()
    let txs = host.mempool.take(host.params().blockTxsMax, height, BLOCK_LIMITS.txBytesMax).filter((tx) => {
      try {
        checkTxForBlock(rules, tx, height, {verifySignature: false})
        return true
      } catch {
        host.mempool.remove([tx.hashHex])
        return false
      }
    })
    if (txs.length === 0) return undefined
    // One timestamp for both: contracts see the block time the header records.
    const timestamp = Math.max(host.now(), host.tip().timestamp)
    const execution = executeBlock(host.environment(), txs, {height, timestamp}, {gasMax: blockGasMaxOf(host.params())})
    // Txs past the block gas limit stay in the mempool for the next block.
    if (execution.included < txs.length) txs = txs.slice(0, execution.included)
    const block = this.assemble(height, host.head().hash, txs, execution, timestamp)
    this.remember(block, execution)
    const payload = host.compact ? encodeCompactProposal(block) : encodeBlock(block)
    this.payloads.set(toHex(sm3(payload)), {parsed: parsePayload(payload), block})
    return {block, payload}
  }

  /** Engine callback: is this proposed block valid on top of our head? Re-executes it. */
  validate(height: number, payload: Uint8Array): boolean {
    const {host} = this
    try {
      if (this.executions.has(this.payload(payload).parsed.hashHex)) return true
      const resolution = this.resolve(payload)
      if (resolution.missing !== undefined) {
        host.logger.debug('proposal names txs we lack; fetching', {height, missing: resolution.missing.length})
        this.fetchMissing(resolution.missing)
        return false
      }
      const block = resolution.block
      const head = host.head()
      const header = block.header
      const invalid = (reason: string): false => {
        host.logger.warn('invalid proposal', {height, hash: block.hashHex, reason})
        return false
      }
      if (header.chainId !== host.genesis.chainId || header.height !== height || height !== head.height + 1) return invalid('wrong chain or height')
      if (!bytesEqual(header.prevHash, head.hash)) return invalid('does not extend our head')
      if (header.timestamp < host.tip().timestamp) return invalid('timestamp before its parent')
      const txBytes = block.txs.reduce((sum, tx) => sum + tx.bytes.length, 0)
      const blockTxsMax = host.params().blockTxsMax
      if (block.txs.length > blockTxsMax || txBytes > BLOCK_LIMITS.txBytesMax) {
        return invalid(`block of ${block.txs.length} txs and ${txBytes} tx bytes is above the limits (${blockTxsMax} txs, ${BLOCK_LIMITS.txBytesMax} bytes)`)
      }
      const rules = host.rules()
      const seen = new Set<string>()
      for (const tx of block.txs) {
        if (seen.has(tx.hashHex) || host.ledger.hasTxSync(tx.hash)) return invalid(`tx ${tx.hashHex} repeated or already committed`)
        seen.add(tx.hashHex)
        // Mempool txs were signature-checked on admission; fetched ones are checked here.
        checkTxForBlock(rules, tx, height, {verifySignature: !host.mempool.has(tx.hashHex)})
      }
      const execution = executeBlock(host.environment(), block.txs, {height, timestamp: header.timestamp})
      if (execution.gasUsed > blockGasMaxOf(host.params())) return invalid(`block gas ${execution.gasUsed} is above the limit`)
      const expected = this.assemble(height, head.hash, block.txs, execution, header.timestamp)
      if (!bytesEqual(expected.header.receiptRoot, header.receiptRoot)) return invalid('receipt root differs from our execution')
      if (!bytesEqual(expected.header.stateRoot, header.stateRoot)) return invalid('state root differs from our execution')
      this.remember(block, execution)
      return true
    } catch (error) {
      // Our own execution failed (faults.ts): not the proposal's fault; the chain must halt.
      if (error instanceof ExecutionFault) throw error
      host.logger.warn('invalid proposal', {height, error: (error as Error).message})
      return false
    }
  }

  /**
   * The block and execution of a committed payload. Normally we validated it before voting; a
   * block decided without us (certified by peers) is resolved — fetching txs we lack — and
   * executed now. CORRUPT_DATA if it does not validate: a certified block we cannot apply.
   */
  async executedFor(height: number, payload: Uint8Array): Promise<Executed> {
    const hashHex = this.payload(payload).parsed.hashHex
    const known = this.executions.get(hashHex)
    if (known !== undefined) return known
    const resolution = this.resolve(payload)
    if (resolution.missing !== undefined && this.host.fetchTxs !== undefined) await this.fetchTxs(resolution.missing, undefined)
    if (!this.validate(height, payload)) throw new WichainError('CORRUPT_DATA', `committed block ${height} does not validate locally`)
    return this.executions.get(hashHex)!
  }

  /** A block committed: forget executions of its height, keep it for laggards. */
  onCommitted(block: Block): void {
    this.executions.clear()
    this.fetched.clear()
    this.recentBlocks.set(block.hashHex, block)
    trim(this.recentBlocks, RECENT_BLOCKS_MAX)
  }

  /**
   * Block hash of a proposal payload (the header hash: no tx is needed). Payloads come from peers
   * (proposals, committed blocks, sync answers): one that does not decode gets a digest no block
   * has (SM3 over a tag and the bytes), so the engine refuses it; a throw here would halt the chain.
   */
  digest(payload: Uint8Array): Uint8Array {
    try {
      return this.payload(payload).parsed.hash
    } catch (error) {
      if (!(error instanceof WichainError)) throw error
      return sm3(UNDECODABLE_PAYLOAD_TAG, payload)
    }
  }

  /** A committed payload, self-contained (full block) when we still hold the block. */
  expand(payload: Uint8Array): Uint8Array {
    const entry = this.payload(payload)
    if (entry.parsed.kind === 'full') return payload
    const block = entry.block ?? this.recentBlocks.get(entry.parsed.hashHex)
    return block === undefined ? payload : encodeBlock(block)
  }

  /** Txs by hash for a peer resolving a compact proposal: pending, fetched or committed. */
  async txsByHash(hashes: readonly string[], bytesMax = Number.MAX_SAFE_INTEGER): Promise<Uint8Array[]> {
    const {host} = this
    const found: Uint8Array[] = []
    let bytes = 0
    for (const hashHex of hashes) {
      const tx = host.mempool.get(hashHex) ?? this.fetched.get(hashHex) ?? (await host.ledger.getTx(fromHex(hashHex, 'tx hash')))?.tx
      if (tx === undefined) continue
      bytes += tx.bytes.length
      if (bytes > bytesMax && found.length > 0) break
      found.push(tx.bytes)
    }
    return found
  }

  private assemble(height: number, prevHash: Uint8Array, txs: readonly Tx[], execution: BlockExecution, timestamp: number): Block {
    const {host} = this
    return createBlock(
      {
        chainId: host.genesis.chainId,
        height,
        prevHash,
        txRoot: txRootOf(txs),
        receiptRoot: receiptRootOf(execution.receipts),
        stateRoot: nextStateRoot(host.tip().stateRoot, execution.writes),
        timestamp,
        proposer: host.proposer,
        round: 0,
        txCount: txs.length,
      },
      txs,
    )
  }

  private remember(block: Block, execution: BlockExecution): void {
    this.executions.set(block.hashHex, {block, execution})
    trim(this.executions, EXECUTIONS_MAX)
  }

  /**
   * Payloads parsed once, by SM3 of their bytes: the engine asks for the digest, validation and
   * apply of one proposal (and of its resends) several times; hashing the bytes costs ~2 ms for
   * a 2,000-tx full block, decoding it ~200 ms.
   */
  private payload(payload: Uint8Array): {parsed: ParsedPayload; block?: Block} {
    const key = toHex(sm3(payload))
    const cached = this.payloads.get(key)
    if (cached !== undefined) return cached
    const parsed = parsePayload(payload)
    const entry: {parsed: ParsedPayload; block?: Block} = parsed.kind === 'full' ? {parsed, block: parsed.block} : {parsed}
    this.payloads.set(key, entry)
    trim(this.payloads, PAYLOADS_MAX)
    return entry
  }

  /** The block of a payload, or the hashes of the txs we lack (compact proposals). */
  private resolve(payload: Uint8Array): {block: Block; missing?: undefined} | {block?: undefined; missing: readonly string[]} {
    const entry = this.payload(payload)
    if (entry.block !== undefined) return {block: entry.block}
    const resolution = resolvePayload(entry.parsed, (hashHex) => this.host.mempool.get(hashHex) ?? this.fetched.get(hashHex))
    if (resolution.block !== undefined) entry.block = resolution.block
    return resolution
  }

  /**
   * A proposal named txs we lack: fetch them from the peer that sent it (or any), then step the
   * parked message again. The primary's periodic resend is the fallback if the fetch fails.
   */
  private fetchMissing(missing: readonly string[]): void {
    this.parked = this.stepping
    if (this.fetching || this.host.fetchTxs === undefined) return
    this.fetching = true
    void this.fetchTxs(missing, this.stepping?.from)
      .then(() => {
        const parked = this.parked
        this.parked = undefined
        return parked === undefined ? undefined : this.host.restep(parked.from, parked.bytes)
      })
      .catch((error) => this.host.logger.debug('tx fetch failed', {error: (error as Error).message}))
      .finally(() => (this.fetching = false))
  }

  private async fetchTxs(missing: readonly string[], peer: NodeId | undefined): Promise<void> {
    const answers = await this.host.fetchTxs!(missing, peer)
    const wanted = new Set(missing)
    const fetchedMax = this.host.params().blockTxsMax * 2
    for (const bytes of answers) {
      try {
        const tx = decodeTx(bytes)
        // Only what was asked for; the signature is checked when the proposal is validated.
        if (wanted.has(tx.hashHex) && this.fetched.size < fetchedMax) this.fetched.set(tx.hashHex, tx)
      } catch {
        // a faulty peer's junk: the proposal stays unresolved and the fetch is retried
      }
    }
  }
}

function trim<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) map.delete(map.keys().next().value!)
}
