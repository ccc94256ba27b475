import {expect} from 'chai'
import {Level} from 'level'
import {utf8} from '../../../../src/core/bytes.js'
import {Ledger, type BlockCommit} from '../../../../src/core/ledger/index.js'
import {
  blockKey, certificateKey, encodeTxLocation, encodeVersion, headKey, receiptsKey, txLocationKey, versionKey,
} from '../../../../src/core/ledger/keys.js'
import {encodeReceipts} from '../../../../src/core/ledger/records.js'
import {encodeBlock} from '../../../../src/core/types/block.js'
import {encodeCertificate} from '../../../../src/core/types/certificate.js'
import {fixtureTx, nextCommit, parentOf} from './fixtures/chain.js'
import {commitChain, rejectionOf, withRawDatabase} from './fixtures/helpers.js'
import {TempDirs} from './fixtures/temp.js'

type RawDatabase = Level<Uint8Array, Uint8Array>

describe('core/ledger: data read back from disk is checked', function () {
  const temp = new TempDirs()
  afterEach(() => temp.removeAll())

  /** A closed ledger with genesis + 3 blocks, then `tamper` applied to the raw LevelDB. */
  async function tampered(tamper: (database: RawDatabase, commits: BlockCommit[]) => Promise<void>): Promise<{directory: string; commits: BlockCommit[]}> {
    const directory = temp.create()
    const ledger = await Ledger.open(directory)
    const commits = await commitChain(ledger, 3)
    await ledger.close()
    await withRawDatabase(directory, (database) => tamper(database, commits))
    return {directory, commits}
  }

  async function openError(directory: string): Promise<{code: string; message: string}> {
    return rejectionOf(Ledger.open(directory))
  }

  it('refuses to open when the head block bytes are overwritten', async function () {
    const {directory} = await tampered((database) => database.put(blockKey(3), utf8('not a block')))
    const error = await openError(directory)
    expect(error.code).to.equal('CORRUPT_DATA')
    expect(error.message).to.contain('block 3')
  })

  it('refuses to open when the head height holds another valid block', async function () {
    const {directory} = await tampered((database, commits) => database.put(blockKey(3), encodeBlock(commits[2]!.block)))
    expect((await openError(directory)).code).to.equal('CORRUPT_DATA')
  })

  it('refuses to open when the head block is replaced by a different block of the same height', async function () {
    const {directory} = await tampered((database, commits) =>
      database.put(blockKey(3), encodeBlock(nextCommit(parentOf(commits[2]!), {txCount: 1}).block)),
    )
    const error = await openError(directory)
    expect(error.code).to.equal('CORRUPT_DATA')
    expect(error.message).to.contain('head says')
  })

  it('refuses to open on a bad head pointer, head receipts or head certificate', async function () {
    const cases: Array<(database: RawDatabase, commits: BlockCommit[]) => Promise<void>> = [
      (database) => database.put(headKey(), utf8('short')),
      (database) => database.put(receiptsKey(3), utf8('x')),
      (database, commits) => database.put(receiptsKey(3), receiptsOf(commits[2]!)),
      (database) => database.del(certificateKey(3)),
      (database, commits) => database.put(certificateKey(3), certificateBytesOf(commits[2]!)),
      (database, commits) => database.put(blockKey(4), encodeBlock(nextCommit(parentOf(commits[3]!)).block)),
    ]
    for (const tamper of cases) {
      const {directory} = await tampered(tamper)
      expect((await openError(directory)).code).to.equal('CORRUPT_DATA')
    }
  })

  it('refuses to open a layout version it does not know', async function () {
    const {directory} = await tampered((database) => database.put(versionKey(), encodeVersion(99)))
    const error = await openError(directory)
    expect(error.code).to.equal('STORAGE_ERROR')
    expect(error.message).to.contain('version 99')
  })

  it('fails reads of a tampered older block, its receipts, certificate and txs with CORRUPT_DATA', async function () {
    const {directory, commits} = await tampered(async (database, commits) => {
      await database.put(blockKey(1), encodeBlock(nextCommit(parentOf(commits[0]!), {txCount: 3}).block))
      await database.put(receiptsKey(2), receiptsOf(commits[3]!))
      await database.put(certificateKey(2), certificateBytesOf(commits[3]!))
    })
    const ledger = await Ledger.open(directory)
    try {
      const blockError = await rejectionOf(ledger.getBlock(1))
      expect(blockError.code).to.equal('CORRUPT_DATA')
      expect(blockError.message).to.contain('block 1')
      expect((await rejectionOf(ledger.getBlockByHash(commits[1]!.block.hash))).code).to.equal('CORRUPT_DATA')
      expect((await rejectionOf(ledger.getTx(commits[1]!.block.txs[0]!.hash))).code).to.equal('CORRUPT_DATA')
      expect((await rejectionOf(ledger.getReceipts(2))).code).to.equal('CORRUPT_DATA')
      expect((await rejectionOf(ledger.getCertificate(2))).code).to.equal('CORRUPT_DATA')
      expect((await rejectionOf(ledger.verifyIntegrity())).code).to.equal('CORRUPT_DATA')
      // Untouched data still reads.
      expect((await ledger.getBlock(3))!.hashHex).to.equal(commits[3]!.block.hashHex)
    } finally {
      await ledger.close()
    }
  })

  it('treats a tx index entry above the head as corruption', async function () {
    const stray = fixtureTx(9, 0)
    const {directory} = await tampered((database) => database.put(txLocationKey(stray.hash), encodeTxLocation({height: 9, index: 0})))
    const ledger = await Ledger.open(directory)
    try {
      expect((await rejectionOf(ledger.getTxLocation(stray.hash))).code).to.equal('CORRUPT_DATA')
      expect((await rejectionOf(ledger.verifyIntegrity())).code).to.equal('CORRUPT_DATA')
    } finally {
      await ledger.close()
    }
  })

  it('finds a missing tx index entry in the integrity walk', async function () {
    const {directory} = await tampered((database, commits) => database.del(txLocationKey(commits[2]!.block.txs[1]!.hash)))
    const ledger = await Ledger.open(directory)
    try {
      const error = await rejectionOf(ledger.verifyIntegrity())
      expect(error.code).to.equal('CORRUPT_DATA')
      expect(error.message).to.contain('not indexed')
    } finally {
      await ledger.close()
    }
  })

  it('refuses blocks stored without a head pointer', async function () {
    const {directory} = await tampered((database) => database.del(headKey()))
    expect((await openError(directory)).code).to.equal('CORRUPT_DATA')
  })
})

/** The stored form of another block's receipts / certificate: valid bytes, wrong block. */
function receiptsOf(commit: BlockCommit): Uint8Array {
  return encodeReceipts(commit.receipts)
}

function certificateBytesOf(commit: BlockCommit): Uint8Array {
  return encodeCertificate(commit.certificate!)
}
