/**
 * Opening a ledger: check the layout version and verify the head before trusting anything.
 * The head block must decode (txRoot), hash to the stored head hash, be indexed by that hash,
 * have receipts matching its receiptRoot and a certificate for exactly this height and hash;
 * and nothing may be stored above it (a commit is one batch, so a crash leaves no partial block).
 */
import {bytesEqual, toHex} from '../bytes.js'
import {WichainError} from '../errors.js'
import type {HeadState} from './commit.js'
import {
  blockHashKey, blockKey, certificateKey, decodeHead, decodeStoredHeight, decodeVersion, encodeVersion, familyRange,
  headKey, LAYOUT_VERSION, receiptsKey, versionKey,
} from './keys.js'
import {corrupt, decodeStoredBlock, decodeStoredCertificate, decodeStoredReceipts} from './records.js'
import {readBytes, readKeys, writeBatch, type Database} from './store.js'

async function checkVersion(database: Database, hasHead: boolean, directory: string): Promise<void> {
  const key = versionKey()
  const stored = await readBytes(database, key)
  if (stored === undefined) {
    if (hasHead) throw corrupt('layout version is missing but blocks are stored', key)
    await writeBatch(database, [{type: 'put', key, value: encodeVersion(LAYOUT_VERSION)}], true)
    return
  }
  const version = decodeVersion(stored)
  if (version !== LAYOUT_VERSION) {
    throw new WichainError('STORAGE_ERROR', `ledger ${directory} has layout version ${version}; this build reads version ${LAYOUT_VERSION}`, {directory, version})
  }
}

async function hasAnyBlock(database: Database): Promise<boolean> {
  for await (const key of readKeys(database, familyRange('block'), 1)) return key.length > 0
  return false
}

async function readRequired(database: Database, key: Uint8Array, what: string): Promise<Uint8Array> {
  const bytes = await readBytes(database, key)
  if (bytes === undefined) throw corrupt(`${what} is missing`, key)
  return bytes
}

async function verifyHeadBlock(database: Database, height: number, hash: Uint8Array): Promise<HeadState> {
  const key = blockKey(height)
  const block = decodeStoredBlock(await readRequired(database, key, `head block ${height}`), height, key)
  if (!bytesEqual(block.hash, hash)) throw corrupt(`head block ${height} hashes to ${block.hashHex}, head says ${toHex(hash)}`, key)
  const indexKey = blockHashKey(hash)
  if (decodeStoredHeight(await readRequired(database, indexKey, `hash index of head block ${height}`), 'block hash index') !== height) {
    throw corrupt(`hash index of head block ${height} points elsewhere`, indexKey)
  }
  const receiptKey = receiptsKey(height)
  decodeStoredReceipts(await readRequired(database, receiptKey, `receipts of head block ${height}`), block.header, receiptKey)
  if (height > 0) {
    const certificate = certificateKey(height)
    decodeStoredCertificate(await readRequired(database, certificate, `certificate of head block ${height}`), height, hash, certificate)
  }
  const above = blockKey(height + 1)
  if ((await readBytes(database, above)) !== undefined) throw corrupt(`a block is stored above the head ${height}`, above)
  return Object.freeze({height, hash, header: block.header})
}

/** Verify and return the committed head, or undefined for an empty ledger. */
export async function loadHead(database: Database, directory: string): Promise<HeadState | undefined> {
  const key = headKey()
  const stored = await readBytes(database, key)
  await checkVersion(database, stored !== undefined, directory)
  if (stored === undefined) {
    if (await hasAnyBlock(database)) throw corrupt('blocks are stored but the head pointer is missing', key)
    return undefined
  }
  let pointer
  try {
    pointer = decodeHead(stored)
  } catch (error) {
    throw corrupt('head pointer does not decode', key, error)
  }
  return verifyHeadBlock(database, pointer.height, pointer.hash)
}
