/**
 * Backup and restore round trips on a real solo home: a full backup, an incremental on it, both
 * verified and restored (in any order) into a home whose every block, tx and state entry matches
 * the source; reproducible output (the same members; the manifests differ only in their signature
 * at the same clock); the running-node path (blocks over JSON-RPC) gives the same backup as the
 * stopped-node path (blocks from the ledger).
 */
import {expect} from 'chai'
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import * as tar from 'tar'
import {runNode} from '../../../src/api/daemon.js'
import {toHex} from '../../../src/core/bytes.js'
import {generateKeyPair} from '../../../src/core/crypto/index.js'
import {nullLogger} from '../../../src/core/log.js'
import {homePath} from '../../../src/core/node/home.js'
import {WichainClient} from '../../../src/sdk/client.js'
import {createBackup, restoreBackups, verifyBackups, type Manifest} from '../../../src/ops/backup/index.js'
import {failure, TestHome} from './backup-fixture.js'

describe('ops/backup: full and incremental round trips', function () {
  this.timeout(60_000)
  let node: TestHome
  let txs: string[]

  before(async () => {
    node = await TestHome.create()
    txs = await node.commit(7)
  })
  after(() => node.cleanup())

  async function expectSameChain(restoredHome: string, height: number): Promise<void> {
    const [source, restored] = [await node.openChain(), await node.openChain(restoredHome)]
    try {
      expect(restored.head().height).to.equal(height)
      for (let h = 0; h <= height; h++) {
        const [a, b] = [await source.getBlock(h), await restored.getBlock(h)]
        expect(b!.hashHex, `block ${h}`).to.equal(a!.hashHex)
        expect((await restored.getCertificate(h))?.blockHash).to.deep.equal((await source.getCertificate(h))?.blockHash)
      }
      for (const hash of txs) expect((await restored.getTxLocation(hash))?.status, hash).to.equal('ok')
      expect(restored.query('evidence', 'get', {key: 'record-0'})).to.deep.equal(source.query('evidence', 'get', {key: 'record-0'}))
      expect((await restored.ledger.verifyIntegrity()).height).to.equal(height)
    } finally {
      await source.close()
      await restored.close()
    }
  }

  it('writes a full backup that verifies and restores to the same chain, state and files', async () => {
    const full = await createBackup({home: node.home, signer: node.signer(), out: node.path('full.wbk'), segmentBlocksMax: 3})
    expect(full).to.include({kind: 'full', chainId: 'wi-backup', fromHeight: 1, toHeight: 7, blocks: 7, encrypted: false, base: null, via: 'ledger'})
    expect(statSync(full.file).mode & 0o777, 'owner-only file').to.equal(0o600)
    const verified = await verifyBackups({file: full.file})
    expect(verified).to.include({valid: true, fromGenesis: true, headHash: full.headHash, sm3: full.sm3})
    expect(verified.certificates).to.deep.equal({againstValidators: 7, signatureOnly: 0})
    const restored = await restoreBackups({home: node.path('restored-full'), from: [full.file]})
    expect(restored).to.include({height: 7, headHash: full.headHash, blocks: 7, backups: 1})
    for (const file of ['config', 'genesis', 'nodeKey'] as const) {
      expect(readFileSync(homePath(restored.home, file))).to.deep.equal(readFileSync(homePath(node.home, file)))
    }
    await expectSameChain(restored.home, 7)
    expect(readdirSync(dirname(restored.home)).filter((name) => name.startsWith('.wichain-'))).to.deep.equal([])
  })

  it('writes an incremental with only the new blocks; full + incremental restore to the new head', async () => {
    const full = await createBackup({home: node.home, signer: node.signer(), out: node.path('base.wbk')})
    txs.push(...(await node.commit(4)))
    const inc = await createBackup({home: node.home, signer: node.signer(), out: node.path('inc.wbk'), base: full.file, segmentBlocksMax: 2})
    expect(inc).to.include({kind: 'incremental', fromHeight: 8, toHeight: 11, blocks: 4, base: full.sm3})
    expect(inc.bytes).to.be.lessThan(full.bytes)

    const linked = await verifyBackups({file: inc.file, bases: [full.file]})
    expect(linked).to.include({fromGenesis: true, headHash: inc.headHash})
    expect(linked.certificates.againstValidators).to.equal(11)
    const alone = await verifyBackups({file: inc.file})
    expect(alone).to.include({fromGenesis: false})
    expect(alone.certificates).to.deep.equal({againstValidators: 0, signatureOnly: 4})

    const restored = await restoreBackups({home: node.path('restored-inc'), from: [inc.file, full.file]})
    expect(restored).to.include({height: 11, headHash: inc.headHash, blocks: 11, backups: 2})
    await expectSameChain(restored.home, 11)

    const empty = await createBackup({home: node.home, signer: node.signer(), out: node.path('inc-empty.wbk'), base: inc.file})
    expect(empty).to.include({kind: 'incremental', fromHeight: 12, toHeight: 11, blocks: 0})
    expect((await restoreBackups({home: node.path('restored-empty-inc'), from: [full.file, inc.file, empty.file]})).height).to.equal(11)
  })

  /** The manifest without its signature, and every member's bytes, of a backup file. */
  async function contentOf(file: string): Promise<{manifest: object; members: Buffer[]}> {
    const dir = `${file}.x`
    mkdirSync(dir)
    await tar.x({file, cwd: dir})
    const {signature, ...manifest} = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest
    expect(signature).to.match(/^[0-9a-f]{128}$/)
    return {manifest, members: manifest.members.map((member) => readFileSync(join(dir, member.name)))}
  }

  it('is reproducible: the same chain at the same clock gives the same members and manifest, but for the signature', async () => {
    const clock = () => 1_800_000_000_000
    const first = await createBackup({home: node.home, signer: node.signer(), clock, out: node.path('again-1.wbk')})
    const second = await createBackup({home: node.home, signer: node.signer(), clock, out: node.path('again-2.wbk')})
    expect(second.createdAt).to.equal(1_800_000_000_000)
    expect(await contentOf(second.file)).to.deep.equal(await contentOf(first.file))
  })

  it('reads blocks over JSON-RPC from a running node, with the same content as from its stopped ledger', async () => {
    const clock = () => 1_800_000_000_000
    const stopped = await createBackup({home: node.home, signer: node.signer(), clock, out: node.path('stopped.wbk')})
    const running = await runNode({home: node.home, logger: nullLogger})
    try {
      const live = await createBackup({home: node.home, signer: node.signer(), clock, out: node.path('running.wbk')})
      expect(live.via).to.equal('rpc')
      expect(await contentOf(live.file)).to.deep.equal(await contentOf(stopped.file))
      const client = new WichainClient(`http://127.0.0.1:${running.node.config.rpc.port}`, {signer: node.signer()})
      const page = await client.committedBlocks(2, 3)
      expect(page.blocks.map((block) => block.height)).to.deep.equal([2, 3, 4])
      expect((await failure(client.committedBlocks(1, 65))).code).to.equal('INVALID_ARGUMENT')
      expect((await failure(restoreBackups({home: node.home, from: [stopped.file], force: true}))).code).to.equal('NODE_RUNNING')
    } finally {
      await running.stop()
    }
    expect(existsSync(homePath(node.home, 'pid'))).to.equal(false)
  })
})

describe('ops/backup: certificates after a node-set change', function () {
  this.timeout(60_000)
  let node: TestHome
  before(async () => {
    node = await TestHome.create('wi-nodes')
  })
  after(() => node.cleanup())

  it('follows an observer being added (the validators stay) and checks every certificate against them; restore re-executes all', async () => {
    await node.commit(2)
    const observer = toHex(generateKeyPair().publicKey)
    const [change] = await node.commitCalls([{role: 'orgadmin', contract: 'nodes', method: 'add', args: {publicKey: observer, name: 'observer-1', role: 'observer', address: '127.0.0.1:1'}}])
    await node.commit(2)
    const full = await createBackup({home: node.home, signer: node.signer(), out: node.path('full.wbk')})
    expect(full.toHeight).to.equal(5)
    const verified = await verifyBackups({file: full.file})
    expect(verified.certificates).to.deep.equal({againstValidators: 5, signatureOnly: 0})
    const restored = await restoreBackups({home: node.path('restored'), from: [full.file]})
    expect(restored).to.include({height: 5, headHash: full.headHash})
    const chain = await node.openChain(restored.home)
    try {
      expect((await chain.getTxLocation(change!))?.status).to.equal('ok')
      expect(chain.members().map((member) => member.publicKey)).to.include(observer)
    } finally {
      await chain.close()
    }
  })
})

