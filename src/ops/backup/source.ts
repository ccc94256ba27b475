/**
 * Where `backup create` reads committed blocks: a running node over its JSON-RPC (`chain.blocks`;
 * the node holds the LevelDB lock), or the ledger directly when the node is stopped. Either way
 * the head is pinned when the source opens, so the backup is one consistent prefix of the chain
 * however far the node moves on while it is being written.
 */
import {existsSync} from 'node:fs'
import {fromHex, toHex} from '../../core/bytes.js'
import {WichainError} from '../../core/errors.js'
import {Ledger} from '../../core/ledger/index.js'
import type {Logger} from '../../core/log.js'
import {chainDataPath, readNodeConfig, rpcUrl} from '../../core/node/home.js'
import {encodeBlock, type Block} from '../../core/types/block.js'
import {encodeCertificate} from '../../core/types/certificate.js'
import {WichainClient} from '../../sdk/client.js'
import type {Signer} from '../../core/crypto/index.js'
import {runningPid} from '../process.js'
import type {SegmentRecord} from './format.js'

const RPC_PAGE_BLOCKS = 64

export interface SourceBlock extends SegmentRecord {
  readonly height: number
  /** The block already decoded and checked by the ledger (saves a decode), when the source has it. */
  readonly decoded?: Block
}

export interface BlockSource {
  readonly via: 'rpc' | 'ledger'
  readonly chainId: string
  readonly genesisHash: string
  /** The head pinned when the source opened. */
  readonly head: {readonly height: number; readonly hash: string}
  /** Hash (hex) of the committed block at `height` (0 = genesis), or undefined above the head. */
  hashAt(height: number): Promise<string | undefined>
  /** Blocks `from..to` (inclusive, at most the pinned head) in height order. */
  blocks(from: number, to: number): AsyncGenerator<SourceBlock>
  close(): Promise<void>
}

class RpcSource implements BlockSource {
  readonly via = 'rpc'

  private constructor(
    private readonly client: WichainClient,
    readonly chainId: string,
    readonly genesisHash: string,
    readonly head: {height: number; hash: string},
  ) {}

  static async open(home: string, chainId: string, nodeId: string, signer?: Signer): Promise<RpcSource> {
    const client = new WichainClient(rpcUrl(readNodeConfig(home).rpc), {chainId, timeoutMs: 60_000, signer})
    const node = await client.status()
    if (node.nodeId !== nodeId) {
      throw new WichainError('INVALID_ARGUMENT', `the node answering at ${client.url} is not the node of ${home} (its key differs)`)
    }
    const status = await client.chainStatus()
    return new RpcSource(client, status.chainId, status.genesisHash, {height: status.height, hash: status.headHash})
  }

  async hashAt(height: number): Promise<string | undefined> {
    if (height > this.head.height) return undefined
    return (await this.client.getBlock(height)).hash
  }

  async *blocks(from: number, to: number): AsyncGenerator<SourceBlock> {
    let next = from
    const last = Math.min(to, this.head.height)
    while (next <= last) {
      const page = await this.client.committedBlocks(next, Math.min(RPC_PAGE_BLOCKS, last - next + 1))
      if (page.blocks.length === 0) throw new WichainError('UNAVAILABLE', `node returned no block at height ${next}`)
      for (const entry of page.blocks) {
        if (entry.height !== next) throw new WichainError('OPERATION_FAILED', `node returned block ${entry.height} where ${next} was expected`)
        yield {height: next++, payload: fromHex(entry.block, 'block'), certificate: fromHex(entry.certificate, 'certificate')}
      }
    }
  }

  async close(): Promise<void> {}
}

class LedgerSource implements BlockSource {
  readonly via = 'ledger'

  private constructor(
    private readonly ledger: Ledger,
    readonly chainId: string,
    readonly genesisHash: string,
    readonly head: {height: number; hash: string},
  ) {}

  static async open(directory: string, chainId: string, logger: Logger): Promise<LedgerSource> {
    if (!existsSync(directory)) throw new WichainError('NOT_FOUND', `no chain data for "${chainId}" in ${directory}`)
    const ledger = await Ledger.open(directory, {logger})
    try {
      const head = ledger.head()
      const genesis = await ledger.getBlock(0)
      if (head === undefined || genesis === undefined) throw new WichainError('NOT_FOUND', `chain data in ${directory} holds no blocks`)
      return new LedgerSource(ledger, chainId, genesis.hashHex, {height: head.height, hash: toHex(head.hash)})
    } catch (error) {
      await ledger.close()
      throw error
    }
  }

  async hashAt(height: number): Promise<string | undefined> {
    if (height > this.head.height) return undefined
    return (await this.ledger.getBlock(height))?.hashHex
  }

  async *blocks(from: number, to: number): AsyncGenerator<SourceBlock> {
    for (let height = from; height <= Math.min(to, this.head.height); height++) {
      // Block first: it fills the ledger's header cache, which the certificate check reads (in
      // parallel, both would decode the block).
      const block = await this.ledger.getBlock(height)
      const certificate = await this.ledger.getCertificate(height)
      if (block === undefined || !certificate) throw new WichainError('CORRUPT_DATA', `block ${height} or its certificate is missing from the ledger`)
      yield {height, payload: encodeBlock(block), certificate: encodeCertificate(certificate), decoded: block}
    }
  }

  close(): Promise<void> {
    return this.ledger.close()
  }
}

/**
 * The running node's RPC when its pid file names a live process (or its ledger is locked by
 * one); the ledger otherwise. `nodeId` (hex public key of the home's node key) makes sure the RPC
 * that answers is this home's node.
 */
/** `signer`: the account reading a running node's blocks (its requests are signed: `backup.create`). */
export async function openBlockSource(home: string, chainId: string, nodeId: string, logger: Logger, signer?: Signer): Promise<BlockSource> {
  if (runningPid(home) !== undefined) return RpcSource.open(home, chainId, nodeId, signer)
  try {
    return await LedgerSource.open(chainDataPath(home, chainId), chainId, logger)
  } catch (error) {
    if (error instanceof WichainError && error.code === 'NODE_RUNNING') return RpcSource.open(home, chainId, nodeId, signer)
    throw error
  }
}
