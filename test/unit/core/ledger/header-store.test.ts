import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {toHex, utf8} from '../../../../src/core/bytes.js'
import {sm3} from '../../../../src/core/crypto/sm3.js'
import {HeaderStore, type StoredHeader} from '../../../../src/core/ledger/header-store.js'
import {hashHeader, type BlockHeader} from '../../../../src/core/types/block.js'
import {EMPTY_ROOT} from '../../../../src/core/types/merkle.js'

const genesis: BlockHeader = {
  chainId: 'wi-headers', height: 0, prevHash: new Uint8Array(32), txRoot: EMPTY_ROOT, receiptRoot: EMPTY_ROOT,
  stateRoot: sm3(utf8('genesis')), timestamp: 1_700_000_000_000, proposer: new Uint8Array(0), round: 0, txCount: 0,
}

function next(parent: BlockHeader, txCount = 3): StoredHeader {
  const header: BlockHeader = {...parent, height: parent.height + 1, prevHash: hashHeader(parent), stateRoot: sm3(utf8(`state ${parent.height + 1}`)), timestamp: parent.timestamp + 1, txCount}
  const hash = hashHeader(header)
  return {header, hash, certificate: {kind: 'pbft', height: header.height, blockHash: hash, round: 0, signatures: []}}
}

describe('core/ledger/header-store', () => {
  let directory: string
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'wichain-headers-'))))
  afterEach(() => rmSync(directory, {recursive: true, force: true}))

  it('starts at the genesis header and appends linked headers with the member bytes, across reopen', async () => {
    const store = await HeaderStore.open(directory, genesis)
    expect(store.head()).to.deep.equal({height: 0, hash: hashHeader(genesis)})
    expect(await store.membersBytes()).to.equal(undefined)
    const first = next(genesis)
    const second = next(first.header, 0)
    await store.append([first, second], utf8('members after 2'))
    expect(store.head().height).to.equal(2)
    await store.close()

    const reopened = await HeaderStore.open(directory, genesis)
    expect(toHex(reopened.head().hash)).to.equal(toHex(second.hash))
    expect(await reopened.get(2)).to.deep.equal(second)
    expect(await reopened.get(0)).to.deep.include({certificate: null})
    expect(await reopened.get(3)).to.equal(undefined)
    expect(await reopened.heightOf(first.hash)).to.equal(1)
    expect(await reopened.heightOf(new Uint8Array(32))).to.equal(undefined)
    expect(toHex((await reopened.membersBytes())!)).to.equal(toHex(utf8('members after 2')))
    await reopened.close()
  })

  it('refuses headers that skip a height or do not link, storing nothing of the batch', async () => {
    const store = await HeaderStore.open(directory, genesis)
    const first = next(genesis)
    const skipped = next(first.header)
    const stranger = next({...genesis, stateRoot: sm3(utf8('other'))})
    await expectRejected(store.append([skipped], utf8('m')), /does not follow/)
    await expectRejected(store.append([stranger], utf8('m')), /does not link/)
    await expectRejected(store.append([first, {...skipped, hash: first.hash}], utf8('m')), /does not link|is not its hash/)
    expect(store.head().height).to.equal(0)
    expect(await store.get(1)).to.equal(undefined)
    await store.close()
  })

  it('belongs to one genesis', async () => {
    await (await HeaderStore.open(directory, genesis)).close()
    await expectRejected(HeaderStore.open(directory, {...genesis, timestamp: 1}), /another genesis/)
  })
})

async function expectRejected(promise: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await promise
  } catch (error) {
    expect((error as Error).message).to.match(message)
    return
  }
  expect.fail('expected a rejection')
}
