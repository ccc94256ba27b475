/**
 * Archive operations on a node home (spec §8.4.2.3, §8.4.6): run and restore go to the node over
 * JSON-RPC when it runs (so each step lands on its ledger's write queue between block commits)
 * and open the ledger directly when it is stopped; query and list read the archive files alone,
 * so they work either way. Run and restore move one segment per RPC call to report progress.
 */
import {existsSync} from 'node:fs'
import {fromHex, toHex} from '../core/bytes.js'
import {WichainError} from '../core/errors.js'
import {
  ArchiveReader, defaultArchiveDirectory, Ledger, segmentToJson, type ArchivedBlock,
} from '../core/ledger/index.js'
import {chainDataPath, readNodeConfig, rpcUrl} from '../core/node/home.js'
import {headerToJson} from '../core/types/block.js'
import {receiptToJson} from '../core/types/receipt.js'
import {CHAIN_ID_RE, txToJson} from '../core/types/tx.js'
import {WichainClient, type ClientSigner} from '../sdk/client.js'
import {runningPid} from './process.js'

export interface ArchiveTarget {
  readonly home: string
  /** Default: the node's chain (config.json). */
  readonly chainId?: string
  /** Signs requests to a running node (an account allowed `archive.run`). */
  readonly signer?: ClientSigner
}

/** What run/restore report progress to (the CLI passes its progress bar). */
export interface ProgressSink {
  total(total: number): void
  tick(delta?: number): void
}

interface ResolvedTarget {
  readonly home: string
  readonly chainId: string
  readonly dataDirectory: string
  readonly archiveDirectory: string
  readonly signer?: ClientSigner
}

function resolveTarget(target: ArchiveTarget): ResolvedTarget {
  const chainId = target.chainId ?? readNodeConfig(target.home).chainId
  if (!CHAIN_ID_RE.test(chainId)) throw new WichainError('INVALID_ARGUMENT', `chain id "${chainId}" is not [a-z0-9_-]`)
  const dataDirectory = chainDataPath(target.home, chainId)
  return {home: target.home, chainId, dataDirectory, archiveDirectory: defaultArchiveDirectory(dataDirectory), signer: target.signer}
}

function clientOf(target: ResolvedTarget): WichainClient {
  return new WichainClient(rpcUrl(readNodeConfig(target.home).rpc), {chainId: target.chainId, signer: target.signer})
}

/**
 * Run `direct` on the ledger when no node holds it, else `remote` against the running node
 * (found by its pid file, or by the LevelDB lock of a node started without one).
 */
async function onLedgerOrNode<T>(target: ResolvedTarget, direct: (ledger: Ledger) => Promise<T>, remote: (client: WichainClient) => Promise<T>): Promise<T & {via: 'ledger' | 'rpc'}> {
  if (runningPid(target.home) !== undefined) return {...(await remote(clientOf(target))), via: 'rpc'}
  if (!existsSync(target.dataDirectory)) throw new WichainError('NOT_FOUND', `no data for chain "${target.chainId}" in ${target.home}`)
  let ledger: Ledger
  try {
    ledger = await Ledger.open(target.dataDirectory)
  } catch (error) {
    if (!(error instanceof WichainError) || error.code !== 'NODE_RUNNING') throw error
    // Held without a pid file: a node in the foreground answers; another tool holding it does not.
    try {
      return {...(await remote(clientOf(target))), via: 'rpc'}
    } catch (remoteError) {
      throw remoteError instanceof WichainError && remoteError.code === 'UNAVAILABLE' ? error : remoteError
    }
  }
  try {
    return {...(await direct(ledger)), via: 'ledger'}
  } finally {
    await ledger.close()
  }
}

export interface ArchiveRunReport extends Record<string, unknown> {
  readonly chainId: string
  readonly archivedBelow: number
  readonly blocks: number
  readonly txs: number
  readonly segments: Array<Record<string, unknown>>
  readonly diskBytesBefore: number | null
  readonly diskBytesAfter: number | null
  readonly archiveDirectory: string
}

/** Archive every height below `below` of a home's chain. */
export async function runArchive(options: ArchiveTarget & {below: number; progress?: ProgressSink}): Promise<ArchiveRunReport & {via: string}> {
  const target = resolveTarget(options)
  const progress = options.progress
  const report = (result: {archivedBelow: number; segments: Array<Record<string, unknown>>}, before?: number, after?: number): ArchiveRunReport => ({
    chainId: target.chainId,
    archivedBelow: result.archivedBelow,
    blocks: result.segments.reduce((total, segment) => total + (segment.blocks as number), 0),
    txs: result.segments.reduce((total, segment) => total + (segment.txs as number), 0),
    segments: result.segments,
    diskBytesBefore: before ?? null,
    diskBytesAfter: after ?? null,
    archiveDirectory: target.archiveDirectory,
  })
  return onLedgerOrNode(
    target,
    async (ledger) => {
      progress?.total(Math.max(0, options.below - ledger.stats().archivedBelow))
      const result = await ledger.archive(options.below, {onProgress: (heights) => progress?.tick(heights)})
      return report({archivedBelow: result.archivedBelow, segments: result.segments.map(segmentToJson)}, result.diskBytesBefore, result.diskBytesAfter)
    },
    async (client) => {
      const start = (await client.archiveList()).archivedBelow
      progress?.total(Math.max(0, options.below - start))
      const segments: Array<Record<string, unknown>> = []
      let before: number | undefined
      for (;;) {
        const step = await client.archiveRun(options.below, 1)
        before ??= step.diskBytesBefore
        segments.push(...step.segments)
        progress?.tick(step.blocks)
        if (step.done || step.segments.length === 0) return report({archivedBelow: step.archivedBelow, segments}, before, step.diskBytesAfter)
      }
    },
  )
}

/** Move every archived height of a home's chain back into its live store. */
export async function restoreArchive(options: ArchiveTarget & {progress?: ProgressSink}) {
  const target = resolveTarget(options)
  const progress = options.progress
  const report = (archivedBelow: number, segments: Array<Record<string, unknown>>) => ({
    chainId: target.chainId,
    archivedBelow,
    blocks: segments.reduce((total, segment) => total + (segment.blocks as number), 0),
    txs: segments.reduce((total, segment) => total + (segment.txs as number), 0),
    segments,
  })
  return onLedgerOrNode(
    target,
    async (ledger) => {
      progress?.total(ledger.stats().archivedBelow)
      const result = await ledger.restoreArchive({onProgress: (heights) => progress?.tick(heights)})
      return report(result.archivedBelow, result.segments.map(segmentToJson))
    },
    async (client) => {
      progress?.total((await client.archiveList()).archivedBelow)
      const segments: Array<Record<string, unknown>> = []
      for (;;) {
        const step = await client.archiveRestore(1)
        segments.push(...step.segments)
        progress?.tick(step.blocks)
        if (step.done || step.segments.length === 0) return report(step.archivedBelow, segments)
      }
    },
  )
}

function checkChain(reader: ArchiveReader, target: ResolvedTarget): void {
  if (reader.chainId !== target.chainId) throw new WichainError('CORRUPT_DATA', `archive ${target.archiveDirectory} holds chain "${reader.chainId}", not "${target.chainId}"`)
}

/** The archive's segments from its manifest (no ledger needed); `verify` checks every file's digest. */
export async function listArchive(options: ArchiveTarget & {verify?: boolean}) {
  const target = resolveTarget(options)
  let reader: ArchiveReader
  try {
    reader = await ArchiveReader.open(target.archiveDirectory)
  } catch (error) {
    if (error instanceof WichainError && error.code === 'NOT_FOUND') {
      return {chainId: target.chainId, directory: target.archiveDirectory, archivedBelow: 0, blocks: 0, txs: 0, segmentBytes: 0, segments: []}
    }
    throw error
  }
  checkChain(reader, target)
  const segments = reader.segments()
  if (options.verify === true) for (const segment of segments) await reader.verify(segment)
  return {
    chainId: target.chainId,
    directory: target.archiveDirectory,
    archivedBelow: reader.archivedBelow,
    blocks: reader.archivedBelow,
    txs: segments.reduce((total, segment) => total + segment.txs, 0),
    segmentBytes: segments.reduce((total, segment) => total + segment.segmentBytes + segment.indexBytes, 0),
    ...(options.verify === true ? {verified: true} : {}),
    segments: segments.map(segmentToJson),
  }
}

function archivedTxJson(chainId: string, found: ArchivedBlock & {index: number}) {
  const tx = found.block.txs[found.index]!
  const receipt = found.receipts[found.index]!
  return {
    chainId,
    txHash: tx.hashHex,
    height: found.block.header.height,
    index: found.index,
    blockHash: toHex(found.block.hash),
    status: receipt.status,
    segment: found.segment,
    tx: txToJson(tx),
    receipt: receiptToJson(receipt),
  }
}

/** Read one archived tx (by hash) or block (by height) from the archive files alone. */
export async function queryArchive(options: ArchiveTarget & {tx?: string; height?: number}) {
  if ((options.tx === undefined) === (options.height === undefined)) throw new WichainError('USAGE', 'give exactly one of --tx HASH or --height N')
  const target = resolveTarget(options)
  const reader = await ArchiveReader.open(target.archiveDirectory)
  checkChain(reader, target)
  if (options.tx !== undefined) {
    const hash = options.tx.toLowerCase().replace(/^0x/, '')
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new WichainError('INVALID_ARGUMENT', '--tx must be a 32-byte hex hash')
    const found = await reader.findTx(fromHex(hash))
    if (found === undefined) throw new WichainError('NOT_FOUND', `tx ${hash} is not in the archive of chain "${target.chainId}"`)
    return archivedTxJson(target.chainId, found)
  }
  const found = await reader.block(options.height!)
  if (found === undefined) throw new WichainError('NOT_FOUND', `height ${options.height} is not archived (archived below ${reader.archivedBelow})`)
  return {
    chainId: target.chainId,
    ...headerToJson(found.block.header, found.block.hash),
    segment: found.segment,
    txs: found.block.txs.map((tx) => tx.hashHex),
  }
}
