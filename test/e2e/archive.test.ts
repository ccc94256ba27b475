/**
 * The archive end to end through the binary (spec §8.4.6): a one-node solo chain filled with
 * 10,000+ signed evidence txs; `archive run` on the running node shrinks its LevelDB by at least
 * half; archived txs are still found and proven (`tx get`, `tx proof`, `cert verify`, `block get`,
 * `archive query`); the chain commits on; `archive restore` on the stopped node brings it all back.
 * Needs the built binary (dist/).
 */
import {expect} from 'chai'
import {join} from 'node:path'
import {fromHex, toHex, utf8} from '../../src/core/bytes.js'
import {sm3} from '../../src/core/crypto/sm3.js'
import {createSigner, readKeystoreFile} from '../../src/core/crypto/index.js'
import {Ledger} from '../../src/core/ledger/index.js'
import {directoryBytes} from '../../src/core/ledger/store.js'
import {createTx, type Tx} from '../../src/core/types/tx.js'
import {WichainClient} from '../../src/sdk/client.js'
import {networkClient, ok, Sandbox, waitFor, wichain} from './harness.js'

const TXS = 10_000
const BATCH = 100
const CHAIN_ID = 'wi-arch'

/** Submit one JSON-RPC batch of tx.send; returns how many the node refused. */
async function submitBatch(rpc: string, txs: readonly Tx[]): Promise<number> {
  const body = JSON.stringify(txs.map((tx, id) => ({jsonrpc: '2.0', id, method: 'tx.send', params: {tx: toHex(tx.bytes)}})))
  const response = await fetch(rpc, {method: 'POST', headers: {'content-type': 'application/json'}, body})
  const replies = (await response.json()) as Array<{error?: unknown}>
  return replies.filter((reply) => reply.error !== undefined).length
}

describe('e2e: archive (one-node solo chain with 10,000+ txs)', function () {
  this.timeout(180_000)
  const box = new Sandbox()
  const home = box.path('net', 'node0')
  const dataDirectory = join(home, 'data', CHAIN_ID)
  let rpc: string
  let client: WichainClient
  let first: Tx
  let last: Tx
  let archivedBelow: number
  /** The last tx of the last archived block. */
  let lastArchived: string

  after(() => box.cleanup())

  it('fills a running node with 10,000 signed txs', async () => {
    const init = await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '1', '--consensus', 'solo', '--chain-id', CHAIN_ID, '--base-port', '0'])
    rpc = init.nodes[0].rpc
    client = networkClient(rpc, box.path('net'))
    await ok(['node', 'start', '--home', home, '--detach'])
    const signer = createSigner(readKeystoreFile(box.path('net', 'admin', 'user.json')))
    const inFlight: Promise<number>[] = []
    let refused = 0
    for (let offset = 0; offset < TXS; offset += BATCH) {
      // Realistic records: the SM3 digest of a distinct document and a small meta.
      const txs = Array.from({length: BATCH}, (_, i) => {
        const args = {key: `case-${offset + i}`, hash: toHex(sm3(utf8(`document ${offset + i}`))), meta: {type: 'injury-determination'}}
        return createTx({chainId: CHAIN_ID, contract: 'evidence', method: 'put', args, expiry: 900}, signer)
      })
      first ??= txs[0]!
      last = txs.at(-1)!
      inFlight.push(submitBatch(rpc, txs))
      if (inFlight.length >= 4) refused += await inFlight.shift()!
    }
    for (const batch of inFlight) refused += await batch
    expect(refused).to.equal(0)
    await waitFor(async () => (await client.waitTx(last.hashHex, 1000)).status === 'ok' && (await client.chainStatus() as unknown as {mempool: {txs: number}}).mempool.txs === 0, 60_000, 'every tx to commit')
    let committed = 0
    const head = (await client.chainStatus()).height
    for (let height = 1; height <= head; height++) committed += ((await client.getBlock(height)) as unknown as {txs: string[]}).txs.length
    expect(committed).to.equal(TXS)
  })

  it('archives on the running node and shrinks its LevelDB by at least half', async () => {
    // A restart folds LevelDB's write-ahead log into compressed tables: measure the store as it
    // settles, not inflated by a log of raw recent writes.
    await ok(['node', 'stop', '--home', home])
    await ok(['node', 'start', '--home', home, '--detach'])
    const before = directoryBytes(dataDirectory)!
    const head = (await client.chainStatus()).height
    const run = await ok(['archive', 'run', '--home', home, '--below', String(head)])
    expect(run).to.include({chainId: CHAIN_ID, archivedBelow: head, via: 'rpc'})
    expect(run.txs).to.equal(TXS - (((await client.getBlock(head)) as unknown as {txs: string[]}).txs.length))
    archivedBelow = run.archivedBelow
    lastArchived = ((await client.getBlock(archivedBelow - 1)) as unknown as {txs: string[]}).txs.at(-1)!
    const after = directoryBytes(dataDirectory)!
    expect(after, `LevelDB ${before} → ${after} bytes`).to.be.at.most(before / 2)
    expect(run.diskBytesAfter).to.be.at.most(run.diskBytesBefore / 2)
    const list = await ok(['archive', 'list', '--home', home, '--verify'])
    expect(list).to.include({chainId: CHAIN_ID, archivedBelow: head, verified: true})
    expect(list.segments[0].segmentDigest).to.match(/^[0-9a-f]{64}$/)
  })

  it('still finds and proves archived txs through the node', async () => {
    const got = await ok(['tx', 'get', first.hashHex, '--home', home])
    expect(got).to.include({txHash: first.hashHex, status: 'ok'})
    expect(got.height).to.be.below(archivedBelow)
    await ok(['tx', 'proof', first.hashHex, '--home', home, '--out', box.path('cert.json')])
    const verified = await ok(['cert', 'verify', box.path('cert.json'), '--genesis', box.path('net', 'genesis.json')])
    expect(verified).to.include({valid: true, txHash: first.hashHex, status: 'ok'})
    const block = await ok(['block', 'get', String(got.height), '--home', home])
    expect(block.txs).to.include(first.hashHex)
    expect(block.certificate.kind).to.equal('solo')
  })

  it('queries the archive files directly while the node holds the store', async () => {
    const found = await ok(['archive', 'query', '--home', home, '--tx', first.hashHex])
    const got = await ok(['tx', 'get', first.hashHex, '--home', home])
    expect(found).to.include({txHash: first.hashHex, height: got.height, index: got.index, blockHash: got.blockHash, status: 'ok'})
    expect(found.tx.args).to.deep.equal({key: 'case-0', hash: toHex(sm3(utf8('document 0'))), meta: {type: 'injury-determination'}})
    const block = await ok(['archive', 'query', '--home', home, '--height', '1'])
    expect(block).to.include({height: 1, chainId: CHAIN_ID})
    const missing = await wichain(['archive', 'query', '--home', home, '--tx', 'cd'.repeat(32), '--json'])
    expect([missing.code, missing.json.error.code]).to.deep.equal([3, 'NOT_FOUND'])
  })

  it('commits new txs after archiving', async () => {
    const sent = await ok(['tx', 'send', '--home', home, '--key', box.path('net', 'admin', 'user.json'), '--contract', 'evidence', '--method', 'put', '--args', JSON.stringify({key: 'after-archive', hash: 'cd'.repeat(32)})])
    expect(sent.status).to.equal('ok')
    expect(sent.height).to.be.above(archivedBelow)
  })

  it('restores the archive into the stopped node\'s live store', async () => {
    await ok(['node', 'stop', '--home', home])
    const offline = await ok(['archive', 'query', '--home', home, '--tx', lastArchived])
    expect(offline).to.include({txHash: lastArchived, height: archivedBelow - 1})
    const restored = await ok(['archive', 'restore', '--home', home])
    expect(restored).to.include({chainId: CHAIN_ID, archivedBelow: 0, blocks: archivedBelow, via: 'ledger'})
    expect((await ok(['archive', 'list', '--home', home])).segments).to.deep.equal([])
    const ledger = await Ledger.open(dataDirectory)
    try {
      expect(ledger.stats().archivedBelow).to.equal(0)
      expect((await ledger.getTx(fromHex(lastArchived)))!.height).to.equal(archivedBelow - 1)
      expect((await ledger.verifyIntegrity()).txs).to.equal(TXS + 1)
    } finally {
      await ledger.close()
    }
  })
})
