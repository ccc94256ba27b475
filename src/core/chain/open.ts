/**
 * What opening (and, after a storage fault, reopening) a chain needs before its engine exists:
 * the ledger (the injected opener, or LevelDB; reopened after a failed write), the genesis block written into an empty store or
 * checked against a used one, the head block's state root and time (what the next block builds
 * on), and the engine's crypto from the node key. The chain (chain.ts) builds its engine on these.
 */
import {bytesEqual, fromHex, toHex} from '../bytes.js'
import type {ConsensusCrypto} from '../consensus/engine.js'
import {fastVerify} from '../crypto/native.js'
import {sign, type KeyPair} from '../crypto/sm2.js'
import {sm3} from '../crypto/sm3.js'
import {WichainError} from '../errors.js'
import {Ledger} from '../ledger/index.js'
import {genesisBlock} from './genesis.js'
import type {ChainOptions} from './options.js'

/** State root and timestamp of the head block. */
export interface Tip {
  readonly stateRoot: Uint8Array
  readonly timestamp: number
}

export function openLedger(options: ChainOptions): Promise<Ledger> {
  return options.openLedger !== undefined ? options.openLedger(options.directory, options.logger) : Ledger.open(options.directory, {logger: options.logger})
}

/** Closes a ledger whose write failed and opens the directory again (resume after a storage fault). */
export async function reopenLedger(options: ChainOptions, failed: Ledger): Promise<Ledger> {
  try {
    await failed.close()
  } catch (error) {
    // The reopen is what matters; LevelDB releases its lock even when a close fails.
    options.logger.debug('closing the failed ledger', {error: (error as Error).message})
  }
  return openLedger(options)
}

/**
 * Writes the genesis block into an empty store, or checks that a used one holds this genesis;
 * returns the head and its tip. CORRUPT_DATA for another chain's data or a missing head block.
 */
export async function checkStore(options: ChainOptions, ledger: Ledger): Promise<{head: {height: number; hash: Uint8Array}; tip: Tip}> {
  const genesis = genesisBlock(options.genesis)
  if (ledger.head() === undefined) {
    await ledger.commitBlock({block: genesis, receipts: [], certificate: null, stateWrites: []})
  } else {
    const stored = await ledger.getBlock(0)
    if (stored === undefined || !bytesEqual(stored.hash, genesis.hash)) {
      throw new WichainError('CORRUPT_DATA', `chain data in ${options.directory} belongs to another genesis`)
    }
  }
  const head = ledger.head()!
  const headBlock = await ledger.getBlock(head.height)
  if (headBlock === undefined) throw new WichainError('CORRUPT_DATA', `head block ${head.height} is missing`)
  return {head, tip: {stateRoot: headBlock.header.stateRoot, timestamp: headBlock.header.timestamp}}
}

/** SM2 with the node key (signatures checked by the native addon when built), SM3 digests. */
export function consensusCryptoOf(nodeKey: KeyPair): ConsensusCrypto {
  const {privateKey, publicKey} = nodeKey
  return {
    self: toHex(publicKey),
    sign: (message) => sign(privateKey, message, publicKey),
    verify: (signer, message, signature) => fastVerify(fromHex(signer), message, signature),
    hash: (data) => sm3(data),
  }
}
