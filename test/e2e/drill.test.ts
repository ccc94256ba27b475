/**
 * THE DISASTER DRILL (issue 5, spec §8.4.6.4): four PBFT node processes under a stream of txs;
 * a full backup of node2 while it runs, more txs, an incremental backup; kill -9 of node2 and its
 * home wiped; a corrupted backup, and one whose config.json was swapped (digests recomputed), fail
 * `backup verify` and `restore` with a clear error; restore
 * from full + incremental, start, catch up. Every tx sent is then on node2, and all four nodes
 * agree on every block hash.
 */
import {expect} from 'chai'
import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createSigner, readKeystoreFile, type Signer} from '../../src/core/crypto/index.js'
import {createTx} from '../../src/core/types/tx.js'
import type {WichainClient} from '../../src/sdk/client.js'
import {readPid} from '../../src/ops/process.js'
import {tamper} from '../unit/ops/backup-fixture.js'
import {networkClient, ok, Sandbox, waitFor, wichain} from './harness.js'

const CHAIN_ID = 'wi-drill'

/** Senders that keep submitting txs (each waits for its commit) to the given nodes until stopped. */
class TxStream {
  readonly sent: string[] = []
  readonly errors: string[] = []
  private running = true
  private readonly workers: Promise<void>[]

  constructor(clients: readonly WichainClient[], signer: Signer) {
    let counter = 0
    this.workers = clients.map(async (client) => {
      for (let i = 0; this.running && i < 5_000; i++) {
        const tx = createTx({chainId: CHAIN_ID, contract: 'evidence', method: 'put', args: {key: `drill-${counter++}`, hash: 'd'.repeat(64)}, expiry: 900}, signer)
        try {
          await client.sendTx(tx, 10_000)
          this.sent.push(tx.hashHex)
        } catch (error) {
          this.errors.push(`${tx.hashHex}: ${(error as Error).message}`)
        }
      }
    })
  }

  async stop(): Promise<void> {
    this.running = false
    await Promise.all(this.workers)
  }
}

describe('e2e: disaster drill — back up a running PBFT node, lose it, restore it', function () {
  this.timeout(240_000)
  const box = new Sandbox()
  const homes = [0, 1, 2, 3].map((index) => box.path('net', `node${index}`))
  const file = (name: string) => box.path('backups', name)
  const auditorKey = box.path('net', 'admin', 'auditor.json')
  after(() => box.cleanup())

  it('restores node2 from full + incremental backups and loses no tx', async () => {
    const init = await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '4', '--consensus', 'pbft', '--chain-id', CHAIN_ID, '--base-port', '0', '--template', 'dev'])
    const clients: WichainClient[] = init.nodes.map((node: {rpc: string}) => networkClient(node.rpc, box.path('net')))
    await Promise.all(homes.map((home) => ok(['node', 'start', '--home', home, '--detach'])))
    const height = (index: number) => clients[index]!.chainStatus().then((status) => status.height)
    // Txs go to node0, node1 and node3 only: node2 is the one that will be lost.
    const stream = new TxStream([clients[0]!, clients[1]!, clients[3]!], createSigner(readKeystoreFile(box.path('net', 'admin', 'user.json'))))
    try {
      await waitFor(async () => (await height(2)) >= 5, 60_000, 'node2 to commit 5 blocks')
      const full = await ok(['backup', 'create', '--home', homes[2]!, '--out', file('node2-full.wbk'), '--key', auditorKey])
      expect(full).to.include({kind: 'full', via: 'rpc', fromHeight: 1, encrypted: false})
      expect(full.toHeight).to.be.at.least(5)

      await waitFor(async () => (await height(2)) >= full.toHeight + 3, 60_000, 'three more blocks on node2')
      const inc = await ok(['backup', 'create', '--home', homes[2]!, '--out', file('node2-inc.wbk'), '--base', file('node2-full.wbk'), '--key', auditorKey])
      expect(inc).to.include({kind: 'incremental', via: 'rpc', fromHeight: full.toHeight + 1, base: full.sm3})
      const verified = await ok(['backup', 'verify', file('node2-inc.wbk'), '--base', file('node2-full.wbk')])
      expect(verified).to.include({valid: true, fromGenesis: true, toHeight: inc.toHeight, headHash: inc.headHash})
      expect(verified.certificates.againstValidators).to.equal(inc.toHeight)

      process.kill(readPid(homes[2]!)!, 'SIGKILL')
      rmSync(homes[2]!, {recursive: true, force: true})

      const bytes = readFileSync(file('node2-inc.wbk'))
      bytes[Math.floor(bytes.length / 2)]! ^= 0xff
      writeFileSync(file('corrupt.wbk'), bytes)
      const refusals = await Promise.all([
        wichain(['backup', 'verify', file('corrupt.wbk'), '--base', file('node2-full.wbk'), '--json']),
        wichain(['restore', '--home', homes[2]!, '--from', file('node2-full.wbk'), '--from', file('corrupt.wbk'), '--json']),
      ])
      for (const refused of refusals) {
        expect(refused.code, refused.stdout).to.equal(8)
        expect(refused.json.error.code).to.equal('CORRUPT_DATA')
        expect(refused.json.error.message).to.contain('corrupt.wbk')
      }
      // A swapped config (node0's: another identity and peers) with the digests recomputed: the manifest signature gives it away.
      const swapped = await tamper(file('node2-full.wbk'), file('swapped.wbk'), (members) => members.set('home/config.json', readFileSync(box.path('net', 'node0', 'config.json'))))
      const swapRefusals = await Promise.all([
        wichain(['backup', 'verify', swapped, '--json']),
        wichain(['restore', '--home', homes[2]!, '--from', swapped, '--json']),
      ])
      for (const refused of swapRefusals) {
        expect(refused.code, refused.stdout).to.equal(5)
        expect(refused.json.error.code).to.equal('VERIFICATION_FAILED')
        expect(refused.json.error.message).to.contain('signature does not verify')
      }
      expect(existsSync(homes[2]!), 'a refused restore wrote the home').to.equal(false)
      expect(readdirSync(box.path('net')).filter((name) => name.startsWith('.wichain-')), 'work directories left').to.deep.equal([])

      const restored = await ok(['restore', '--home', homes[2]!, '--from', file('node2-full.wbk'), '--from', file('node2-inc.wbk')])
      expect(restored).to.include({chainId: CHAIN_ID, height: inc.toHeight, headHash: inc.headHash, backups: 2})
      await ok(['node', 'start', '--home', homes[2]!, '--detach'])
      // Operators script "caught up" with `node wait`: the target is node0's height when it starts.
      const caughtUp = await ok(['node', 'wait', '--home', homes[2]!, '--peer', init.nodes[0].rpc, '--timeout-ms', '60000'])
      expect(caughtUp.height).to.be.at.least(caughtUp.target).and.at.least(inc.toHeight)
      const sentBefore = stream.sent.length
      await waitFor(async () => stream.sent.length >= sentBefore + 10, 60_000, 'more txs with node2 back')
    } finally {
      await stream.stop()
    }
    expect(stream.errors).to.deep.equal([])

    const committedOn0 = async () => (await Promise.all(stream.sent.map((hash) => clients[0]!.getTx(hash)))).every((tx) => tx.status === 'ok')
    await waitFor(committedOn0, 60_000, 'every sent tx to commit', async () => {
      // What a failure needs first: how many are missing, where they wait, how far each node got.
      const missing = (await Promise.all(stream.sent.map(async (hash) => ((await clients[0]!.getTx(hash)).status === 'ok' ? undefined : hash)))).filter((hash) => hash !== undefined)
      const pending = await Promise.all(clients.map(async (client) => (await Promise.all(missing.slice(0, 20).map((hash) => client.getTx(hash).then((tx) => tx.status, () => 'error')))).join(',')))
      const heights = await Promise.all(clients.map((_, index) => height(index).catch(() => -1)))
      return `${missing.length} of ${stream.sent.length} not committed on node0; heights ${heights.join(' ')}; status of the first on each node: ${pending.join(' | ')}`
    })
    const top = Math.max(...(await Promise.all(clients.map((_, index) => height(index)))))
    await waitFor(async () => (await Promise.all(clients.map((_, index) => height(index)))).every((h) => h >= top), 60_000, `all nodes at ${top}`)
    for (const hash of stream.sent) expect((await clients[2]!.getTx(hash)).status, `tx ${hash} on node2`).to.equal('ok')
    for (let h = 1; h <= top; h++) {
      const hashes = await Promise.all(clients.map((client) => client.getBlock(h).then((block) => block.hash)))
      expect(new Set(hashes).size, `block ${h}`).to.equal(1)
    }
    await Promise.all(homes.map((home) => ok(['node', 'stop', '--home', home])))
  })
})
