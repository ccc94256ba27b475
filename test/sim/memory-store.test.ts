/**
 * The simulator's in-memory disk (src/core/sim/memory-store.ts) and consensus crypto
 * (src/core/sim/crypto.ts): the real Ledger runs on the memory store with LevelDB's guarantees
 * (what a closed handle committed survives a reopen, atomic batches, snapshot iterators in key
 * order, the lock, copies on read, snapshot copies); the pooled-nonce signatures are valid SM2
 * signatures and the memoized verify answers exactly as the chain's verify.
 */
import {expect} from 'chai'
import {fromHex, toHex, utf8} from '../../src/core/bytes.js'
import {fastVerify} from '../../src/core/crypto/native.js'
import {verify} from '../../src/core/crypto/sm2.js'
import {Ledger} from '../../src/core/ledger/index.js'
import {readRange} from '../../src/core/ledger/store.js'
import {simConsensusCrypto, simSign} from '../../src/core/sim/crypto.js'
import {NODE_KEYS} from '../../src/core/sim/fixture.js'
import {MemoryDisk} from '../../src/core/sim/memory-store.js'
import {nextCommit, parentOf} from '../unit/core/ledger/fixtures/chain.js'
import {commitChain} from '../unit/core/ledger/fixtures/helpers.js'

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values)

describe('sim: in-memory store', () => {
  it('runs the real Ledger; a closed store reopens with every committed block, a snapshot copy keeps the old one', async () => {
    const disk = new MemoryDisk()
    const ledger = await Ledger.open('/sim/node0', {openDatabase: disk.openDatabase})
    const commits = await commitChain(ledger, 3, {txCount: 2})
    const error = await Ledger.open('/sim/node0', {openDatabase: disk.openDatabase}).catch((caught: unknown) => caught)
    expect((error as {code?: string}).code).to.equal('NODE_RUNNING')
    await ledger.close()
    disk.copy('/sim/node0', '/sim/node0.old')
    const reopened = await Ledger.open('/sim/node0', {openDatabase: disk.openDatabase})
    try {
      expect(reopened.head()!.height).to.equal(3)
      expect((await reopened.getBlock(3))!.hashHex).to.equal(commits[3]!.block.hashHex)
      expect(reopened.hasTxSync(commits[2]!.block.txs[1]!.hash)).to.equal(true)
      await reopened.commitBlock(nextCommit(parentOf(commits[3]!), {txCount: 1}))
      expect(reopened.head()!.height).to.equal(4)
    } finally {
      await reopened.close()
    }
    disk.move('/sim/node0.old', '/sim/node0')
    const old = await Ledger.open('/sim/node0', {openDatabase: disk.openDatabase})
    try {
      expect(old.head()!.height).to.equal(3)
    } finally {
      await old.close()
    }
    expect(disk.size('/sim/node0.old')).to.equal(0)
  })

  it('applies a batch whole at write, none of it on a closed store; iterators read a snapshot in byte order; reads are copies', async () => {
    const disk = new MemoryDisk()
    const database = await disk.openDatabase('/d')
    await database.batch().put(bytes(2), bytes(20)).put(bytes(1, 255), bytes(11)).put(bytes(1), bytes(10)).put(bytes(3), bytes(30)).write()
    await database.batch().del(bytes(2)).write()
    const seen: string[] = []
    for await (const [key, value] of readRange(database, {gte: bytes(1), lt: bytes(3)}, 10)) seen.push(`${toHex(key)}=${toHex(value)}`)
    expect(seen).to.deep.equal(['01=0a', '01ff=0b'])
    const snapshot = database.iterator({gte: bytes(1), lt: bytes(4)})
    await database.batch().put(bytes(2), bytes(22)).write()
    const listed: string[] = []
    for await (const [key, value] of snapshot) listed.push(`${toHex(key)}=${toHex(value)}`)
    expect(listed).to.deep.equal(['01=0a', '01ff=0b', '03=1e'])
    const read = database.getSync(bytes(2))!
    read[0] = 99
    expect(toHex((await database.get(bytes(2)))!)).to.equal('16')
    const pending = database.batch().put(bytes(4), bytes(40)).del(bytes(1))
    await database.close()
    expect(await pending.write().then(() => 'written', () => 'refused')).to.equal('refused')
    const again = await disk.openDatabase('/d')
    expect(await again.getMany([bytes(1), bytes(4)])).to.deep.equal([bytes(10), undefined])
    await again.close()
  })
})

describe('sim: consensus crypto', () => {
  const key = NODE_KEYS[1]!
  const message = utf8('pre-prepare 7')

  it('signs valid SM2 signatures (checked by the JS and the native verify), equal for equal messages', () => {
    const signature = simSign(key, message)
    expect(verify(key.publicKey, message, signature)).to.equal(true)
    expect(fastVerify(key.publicKey, message, signature)).to.equal(true)
    expect(verify(key.publicKey, utf8('pre-prepare 8'), signature)).to.equal(false)
    expect(toHex(simSign(key, message))).to.equal(toHex(signature))
    for (let index = 0; index < 40; index++) expect(verify(key.publicKey, utf8(`m${index}`), simSign(key, utf8(`m${index}`)))).to.equal(true)
  })

  it('memoizes verify on the exact message: a remembered signature over another message is still refused', () => {
    let calls = 0
    const chain = {
      self: toHex(key.publicKey),
      sign: () => new Uint8Array(64),
      verify: (signer: string, signed: Uint8Array, signature: Uint8Array) => {
        calls += 1
        return fastVerify(fromHex(signer), signed, signature)
      },
      hash: (data: Uint8Array) => data,
    }
    const crypto = simConsensusCrypto(chain, key)
    const signature = crypto.sign(utf8('memo test'))
    expect(crypto.verify(chain.self, utf8('memo test'), signature)).to.equal(true)
    expect(crypto.verify(chain.self, utf8('memo test'), signature)).to.equal(true)
    expect(calls).to.equal(1)
    expect(crypto.verify(chain.self, utf8('memo tesT'), signature)).to.equal(false)
    expect(crypto.verify(toHex(NODE_KEYS[2]!.publicKey), utf8('memo test'), signature)).to.equal(false)
    expect(calls).to.equal(3)
  })
})
