import {expect} from 'chai'
import {bytesEqual, utf8} from '../../../../src/core/bytes.js'
import {Ledger} from '../../../../src/core/ledger/index.js'
import {encodeReceipt} from '../../../../src/core/types/receipt.js'
import {fixtureTx, genesisCommit, heightValue, nextCommit, parentOf} from './fixtures/chain.js'
import {commitChain, rejectionOf} from './fixtures/helpers.js'
import {TempDirs} from './fixtures/temp.js'

describe('core/ledger: commit and read back', function () {
  const temp = new TempDirs()
  afterEach(() => temp.removeAll())

  it('opens empty, then commits genesis and blocks and reads every part back', async function () {
    const directory = temp.create()
    const ledger = await Ledger.open(directory)
    try {
      expect(ledger.head()).to.equal(undefined)
      expect(await ledger.getBlock(0)).to.equal(undefined)
      const commits = await commitChain(ledger, 3, {txCount: 3})
      const last = commits[3]!
      expect(ledger.head()!.height).to.equal(3)
      expect(bytesEqual(ledger.head()!.hash, last.block.hash)).to.equal(true)

      for (const commit of commits) {
        const height = commit.block.header.height
        const block = (await ledger.getBlock(height))!
        expect(block.hashHex).to.equal(commit.block.hashHex)
        expect(block.txs.map((tx) => tx.hashHex)).to.deep.equal(commit.block.txs.map((tx) => tx.hashHex))
        expect((await ledger.getBlockByHash(commit.block.hash))!.hashHex).to.equal(commit.block.hashHex)
        const verified = (await ledger.getHeader(height))!
        expect(verified.header.stateRoot).to.deep.equal(commit.block.header.stateRoot)
        const receipts = (await ledger.getReceipts(height))!
        expect(receipts.map(encodeReceipt)).to.deep.equal(commit.receipts.map(encodeReceipt))
        const certificate = await ledger.getCertificate(height)
        if (height === 0) expect(certificate).to.equal(null)
        else expect(certificate!.blockHash).to.deep.equal(commit.block.hash)
      }
      const tx = last.block.txs[2]!
      expect(await ledger.getTxLocation(tx.hash)).to.deep.equal({height: 3, index: 2})
      expect(await ledger.hasTx(tx.hash)).to.equal(true)
      expect(ledger.hasTxSync(tx.hash)).to.equal(true)
      const stored = (await ledger.getTx(tx.hash))!
      expect(stored.tx.hashHex).to.equal(tx.hashHex)
      expect(stored.receipt.status).to.equal('failed')
      expect(stored.blockHash).to.deep.equal(last.block.hash)
      expect(stored.header.height).to.equal(3)

      expect(await ledger.getBlock(4)).to.equal(undefined)
      expect(await ledger.getReceipts(4)).to.equal(undefined)
      expect(await ledger.getCertificate(4)).to.equal(undefined)
      expect(await ledger.getTx(fixtureTx(4, 0).hash)).to.equal(undefined)
      expect(await ledger.getBlockByHash(new Uint8Array(32))).to.equal(undefined)
      expect(ledger.stats().height).to.equal(3)
      expect(ledger.stats().diskBytes).to.be.greaterThan(0)
    } finally {
      await ledger.close()
    }
  })

  it('applies state writes and deletes with the block, readable synchronously and by prefix', async function () {
    const ledger = await Ledger.open(temp.create())
    try {
      const genesis = genesisCommit()
      await ledger.commitBlock(genesis)
      const first = nextCommit(parentOf(genesis), {
        txCount: 1,
        stateWrites: [
          {key: utf8('acct/a'), value: utf8('1')},
          {key: utf8('acct/b'), value: utf8('2')},
          {key: utf8('acct/c'), value: utf8('3')},
          {key: utf8('other'), value: utf8('x')},
        ],
      })
      await ledger.commitBlock(first)
      expect(ledger.getState(utf8('acct/b'))).to.deep.equal(utf8('2'))
      const second = nextCommit(parentOf(first), {txCount: 1, stateWrites: [{key: utf8('acct/b'), value: null}, {key: utf8('acct/a'), value: utf8('9')}]})
      await ledger.commitBlock(second)
      expect(ledger.getState(utf8('acct/b'))).to.equal(undefined)
      expect(ledger.getState(utf8('acct/a'))).to.deep.equal(utf8('9'))
      expect(await ledger.getStateAsync(utf8('other'))).to.deep.equal(utf8('x'))
      const entries = []
      for await (const entry of ledger.iterateState(utf8('acct/'))) entries.push([Buffer.from(entry.key).toString(), Buffer.from(entry.value).toString()])
      expect(entries).to.deep.equal([['acct/a', '9'], ['acct/c', '3']])
      const limited = []
      for await (const entry of ledger.iterateState(new Uint8Array(0), {limit: 2})) limited.push(Buffer.from(entry.key).toString())
      expect(limited).to.deep.equal(['acct/a', 'acct/c'])
      expect((await rejectionOf(ledger.iterateState(utf8('a'), {limit: 0}).next())).code).to.equal('INVALID_ARGUMENT')
      expect(() => ledger.getState(new Uint8Array(1025))).to.throw().with.property('code', 'PAYLOAD_TOO_LARGE')
    } finally {
      await ledger.close()
    }
  })

  it('keeps metadata outside and inside block batches', async function () {
    const ledger = await Ledger.open(temp.create())
    try {
      await ledger.putMeta('genesis', utf8('{"chainId":"x"}'))
      expect(await ledger.getMeta('genesis')).to.deep.equal(utf8('{"chainId":"x"}'))
      expect(await ledger.getMeta('absent')).to.equal(undefined)
      const genesis = genesisCommit()
      await ledger.commitBlock({...genesis, meta: [{name: 'consensus-state', value: utf8('v1')}]})
      expect(await ledger.getMeta('consensus-state')).to.deep.equal(utf8('v1'))
      expect((await rejectionOf(ledger.putMeta('bad name!', utf8('x')))).code).to.equal('INVALID_ARGUMENT')
    } finally {
      await ledger.close()
    }
  })

  it('applies commits issued without waiting in call order', async function () {
    const ledger = await Ledger.open(temp.create())
    try {
      const genesis = genesisCommit()
      const first = nextCommit(parentOf(genesis))
      const second = nextCommit(parentOf(first))
      await Promise.all([ledger.commitBlock(genesis), ledger.commitBlock(first), ledger.commitBlock(second)])
      expect(ledger.head()!.height).to.equal(2)
    } finally {
      await ledger.close()
    }
  })

  it('never reports a commit in flight as corruption to concurrent readers', async function () {
    const ledger = await Ledger.open(temp.create())
    try {
      const commits = await commitChain(ledger, 0)
      for (let round = 0; round < 10; round++) {
        const commit = nextCommit(parentOf(commits.at(-1)!))
        let done = false
        const writing = ledger.commitBlock(commit).then(() => void (done = true))
        const reads: Promise<unknown>[] = []
        for (let i = 0; !done && i < 10_000; i++) {
          for (let j = 0; j < 6; j++) reads.push(ledger.hasTx(commit.block.txs[j % 2]!.hash), ledger.getBlockByHash(commit.block.hash))
          await new Promise((resolve) => setImmediate(resolve))
        }
        await writing
        await Promise.all(reads)
        expect(await ledger.hasTx(commit.block.txs[0]!.hash)).to.equal(true)
        commits.push(commit)
      }
    } finally {
      await ledger.close()
    }
  })

  it('keeps everything across close and reopen', async function () {
    const directory = temp.create()
    const first = await Ledger.open(directory)
    const commits = await commitChain(first, 4)
    await first.putMeta('genesis', utf8('doc'))
    await first.close()
    const reopened = await Ledger.open(directory)
    try {
      expect(reopened.head()!.height).to.equal(4)
      expect(reopened.head()!.hash).to.deep.equal(commits[4]!.block.hash)
      for (const commit of commits) {
        expect((await reopened.getBlock(commit.block.header.height))!.hashHex).to.equal(commit.block.hashHex)
        for (const tx of commit.block.txs) expect((await reopened.getTx(tx.hash))!.tx.hashHex).to.equal(tx.hashHex)
      }
      expect(reopened.getState(utf8('height'))).to.deep.equal(heightValue(4))
      expect(await reopened.getMeta('genesis')).to.deep.equal(utf8('doc'))
      expect(await reopened.verifyIntegrity()).to.deep.equal({height: 4, blocks: 5, txs: 8})
      // Writing continues on top of the reopened head.
      await reopened.commitBlock(nextCommit(parentOf(commits[4]!)))
      expect(reopened.head()!.height).to.equal(5)
    } finally {
      await reopened.close()
    }
  })

  it('refuses a second open of the same directory while it is open', async function () {
    const directory = temp.create()
    const ledger = await Ledger.open(directory)
    try {
      const error = await rejectionOf(Ledger.open(directory))
      expect(error.code).to.equal('NODE_RUNNING')
      expect(error.message).to.match(/another process/)
    } finally {
      await ledger.close()
    }
  })

  it('refuses calls after close', async function () {
    const ledger = await Ledger.open(temp.create())
    await ledger.close()
    await ledger.close()
    expect((await rejectionOf(ledger.getBlock(0))).code).to.equal('UNAVAILABLE')
    expect((await rejectionOf(ledger.commitBlock(genesisCommit()))).code).to.equal('UNAVAILABLE')
    expect(() => ledger.getState(utf8('k'))).to.throw().with.property('code', 'UNAVAILABLE')
  })

  it('rejects malformed read arguments', async function () {
    const ledger = await Ledger.open(temp.create())
    try {
      expect((await rejectionOf(ledger.getBlock(-1))).code).to.equal('INVALID_ARGUMENT')
      expect((await rejectionOf(ledger.getBlock(1.5))).code).to.equal('INVALID_ARGUMENT')
      expect((await rejectionOf(ledger.getTx(new Uint8Array(31)))).code).to.equal('INVALID_ARGUMENT')
    } finally {
      await ledger.close()
    }
  })
})
