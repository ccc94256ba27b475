/**
 * The thin layer over `level` (classic-level): opening with a clear error when another process
 * holds the LevelDB lock, byte reads (async and synchronous via `getSync`), atomic batches, and
 * mapping of every storage failure to a WichainError. Values come back as plain Uint8Arrays
 * (LevelDB hands out Buffers; decoders and callers compare plain bytes).
 */
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {Level} from 'level'
import {toHex} from '../bytes.js'
import {WichainError} from '../errors.js'

export type Database = Level<Uint8Array, Uint8Array>

export interface BatchOperation {
  readonly type: 'put' | 'del'
  readonly key: Uint8Array
  readonly value?: Uint8Array
}

/** Most operations in one atomic batch: a full block (10k txs) plus its state writes and indexes. */
export const BATCH_OPERATIONS_MAX = 150_000

function causeCode(error: unknown): string | undefined {
  const cause = (error as {cause?: {code?: unknown}} | undefined)?.cause
  return typeof cause?.code === 'string' ? cause.code : undefined
}

export async function openDatabase(directory: string): Promise<Database> {
  const database: Database = new Level<Uint8Array, Uint8Array>(directory, {keyEncoding: 'view', valueEncoding: 'view'})
  try {
    await database.open({createIfMissing: true})
  } catch (error) {
    if (causeCode(error) === 'LEVEL_LOCKED') {
      throw new WichainError(
        'NODE_RUNNING',
        `ledger ${directory} is locked: another process (or another open ledger in this process) holds it; stop that node first`,
        {directory},
        {cause: error},
      )
    }
    throw new WichainError('STORAGE_ERROR', `cannot open ledger ${directory}: ${(error as Error).message}`, {directory}, {cause: error})
  }
  return database
}

function plain(value: Uint8Array | undefined): Uint8Array | undefined {
  if (value === undefined) return undefined
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
}

function storageError(action: string, key: Uint8Array, error: unknown): WichainError {
  return new WichainError('STORAGE_ERROR', `ledger ${action} failed for key ${toHex(key)}: ${(error as Error).message}`, {key: toHex(key)}, {cause: error})
}

export async function readBytes(database: Database, key: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    return plain(await database.get(key))
  } catch (error) {
    throw storageError('read', key, error)
  }
}

export function readBytesSync(database: Database, key: Uint8Array): Uint8Array | undefined {
  try {
    return plain(database.getSync(key))
  } catch (error) {
    throw storageError('read', key, error)
  }
}

export async function readMany(database: Database, keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
  try {
    return (await database.getMany(keys)).map(plain)
  } catch (error) {
    throw storageError('read', keys[0] ?? new Uint8Array(0), error)
  }
}

/** Write all operations atomically: LevelDB applies a batch entirely or not at all. */
export async function writeBatch(database: Database, operations: readonly BatchOperation[], sync: boolean): Promise<void> {
  if (operations.length > BATCH_OPERATIONS_MAX) {
    throw new WichainError('PAYLOAD_TOO_LARGE', `batch of ${operations.length} operations; limit ${BATCH_OPERATIONS_MAX}`)
  }
  const batch = database.batch()
  try {
    for (const operation of operations) {
      if (operation.type === 'put') batch.put(operation.key, operation.value!)
      else batch.del(operation.key)
    }
    await batch.write({sync})
  } catch (error) {
    await batch.close() // idempotent; releases the batch if write() never started
    throw new WichainError('STORAGE_ERROR', `ledger batch write failed: ${(error as Error).message}`, undefined, {cause: error})
  }
}

/** Keys and values of a range, at most `limit` entries, in key order. */
export async function* readRange(
  database: Database,
  range: {gte: Uint8Array; lt: Uint8Array},
  limit: number,
): AsyncGenerator<[Uint8Array, Uint8Array]> {
  const iterator = database.iterator({gte: range.gte, lt: range.lt, limit})
  try {
    for await (const [key, value] of iterator) yield [plain(key)!, plain(value)!]
  } catch (error) {
    throw storageError('range read', range.gte, error)
  } finally {
    await iterator.close()
  }
}

/** Keys only of a range, at most `limit` entries. */
export async function* readKeys(database: Database, range: {gte: Uint8Array; lt: Uint8Array}, limit: number): AsyncGenerator<Uint8Array> {
  const iterator = database.keys({gte: range.gte, lt: range.lt, limit})
  try {
    for await (const key of iterator) yield plain(key)!
  } catch (error) {
    throw storageError('key scan', range.gte, error)
  } finally {
    await iterator.close()
  }
}

/** Bytes on disk of a ledger directory (LevelDB keeps a flat directory of files). */
export function directoryBytes(directory: string): number | undefined {
  try {
    return readdirSync(directory).reduce((total, name) => total + statSync(join(directory, name)).size, 0)
  } catch {
    return undefined
  }
}

/** Compact the key range [start, end] so deleted entries leave the files on disk (classic-level). */
export async function compactRange(database: Database, start: Uint8Array, end: Uint8Array): Promise<void> {
  const compactable = database as unknown as {compactRange(start: Uint8Array, end: Uint8Array): Promise<void>}
  try {
    await compactable.compactRange(start, end)
  } catch (error) {
    throw storageError('compaction', start, error)
  }
}
