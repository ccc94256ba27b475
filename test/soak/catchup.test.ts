/**
 * Catch-up after a long outage under load (issue: a node behind by many full blocks never caught
 * up, its sync answers exceeding the frame). Real node processes through the binary, default
 * `work-injury` template (blocks up to 2,000 txs): node3 is killed, the other three commit
 * ≥ 50,000 signed evidence txs in full blocks, node3 restarts and must catch up within 60 s; then
 * all four agree on every block hash and every tx is readable on node3. PBFT and Raft. The same
 * cluster then runs the disaster drill with full blocks: node2, backed up a few full blocks in,
 * is lost, restored from that old backup, and catches up; every tx is readable on it.
 *
 * A separate suite (`npm run test:soak`, run by .ci/run after `npm test`): several minutes of load.
 * SOAK_TXS lowers the tx count for a quick local run.
 */
import {expect} from 'chai'
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {allCommitted, LOAD_BATCH_TXS, rpcBatch, submitAll, type LoadCounters} from '../../src/bench/load.js'
import {createSigner, readKeystoreFile, type Signer} from '../../src/core/crypto/index.js'
import {createTx, type Tx} from '../../src/core/types/tx.js'
import {WichainClient} from '../../src/sdk/client.js'
import {ok, Sandbox, waitFor} from '../e2e/harness.js'

const TXS = Number(process.env.SOAK_TXS ?? 50_000)
/** Txs committed before the drill's backup of node2 (a few full blocks). */
const PRE_TXS = 6_000
const BLOCK_TXS = 2000
const CATCH_UP_MS = 60_000
const BATCH = LOAD_BATCH_TXS

const counters: LoadCounters = {retries: 0, resent: 0}

async function expectAllReadable(url: string, txs: readonly Tx[], node: string, reader: Signer): Promise<void> {
  for (let offset = 0; offset < txs.length; offset += BATCH) {
    const replies = await rpcBatch(url, txs.slice(offset, offset + BATCH).map((tx) => ({method: 'tx.get', params: {hash: tx.hashHex}})), undefined, reader)
    const missing = replies.filter((reply) => reply.result?.status !== 'ok')
    expect(missing, `txs ${offset}..${offset + BATCH} on ${node}`).to.have.length(0)
  }
}

function scenario(consensus: 'pbft' | 'raft'): void {
  describe(`soak: a node down for ${TXS} txs of full blocks catches up (${consensus})`, function () {
    this.timeout(20 * 60_000)
    const box = new Sandbox()
    afterEach(function () {
      // On failure, the end of every node's log says more than the assertion.
      if (this.currentTest?.state !== 'failed') return
      for (const index of [0, 1, 2, 3]) {
        const log = box.path('net', `node${index}`, 'node.log')
        if (existsSync(log)) console.log(`--- node${index} log (tail)\n${readFileSync(log, 'utf8').split('\n').slice(-25).join('\n')}`)
      }
    })
    after(() => box.cleanup())

    it('node3 catches up within 60 s; every block hash agrees; every tx is readable on node3; node2 restored from an old backup catches up', async () => {
      const chainId = `wi-soak-${consensus}`
      const init = await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '4', '--consensus', consensus, '--chain-id', chainId, '--base-port', '0', '--template', 'work-injury'])
      const homes = [0, 1, 2, 3].map((index) => box.path('net', `node${index}`))
      // Signed before any connection exists: seconds of synchronous signing would otherwise let
      // the client reuse keep-alive sockets the nodes closed meanwhile.
      const signer = createSigner(readKeystoreFile(box.path('net', 'admin', 'user.json')))
      const expiry = 900
      const before = Array.from({length: PRE_TXS}, (_, index) =>
        createTx({chainId, contract: 'evidence', method: 'put', args: {key: `pre-${index}`, hash: 'ef'.repeat(32)}, expiry}, signer),
      )
      const txs = Array.from({length: TXS}, (_, index) =>
        createTx({chainId, contract: 'evidence', method: 'put', args: {key: `soak-${index}`, hash: 'cd'.repeat(32), meta: {case: `GS-${index}`, note: 'x'.repeat(120)}}, expiry}, signer),
      )
      for (const home of homes) await ok(['node', 'start', '--home', home, '--detach'])
      const urls: string[] = init.nodes.map((node: {rpc: string}) => node.rpc)
      const reader = createSigner(readKeystoreFile(box.path('net', 'admin', 'auditor.json')))
      const clients = urls.map((url) => new WichainClient(url, {signer: reader}))
      const warm = createTx({chainId, contract: 'evidence', method: 'put', args: {key: 'warm', hash: 'ab'.repeat(32)}, expiry}, signer)
      expect((await clients[0]!.sendTx(warm, 30_000)).status).to.equal('ok')
      await waitFor(async () => (await clients[3]!.chainStatus()).height >= 1, 30_000, 'node3 at height 1')

      // The drill's backup: node2, running, a few full blocks in; restored at the end, many full blocks later.
      await submitAll(urls, before, counters)
      await waitFor(async () => await allCommitted(urls[2]!, before.slice(-BATCH), reader), 120_000, 'the first txs committed on node2')
      const backup = await ok(['backup', 'create', '--home', homes[2]!, '--out', box.path('node2-full.wbk'), '--key', box.path('net', 'admin', 'auditor.json')])

      process.kill(Number.parseInt(readFileSync(box.path('net', 'node3', 'node.pid'), 'utf8'), 10), 'SIGKILL')
      const startHeight = (await clients[0]!.chainStatus()).height
      await submitAll(urls.slice(0, 3), txs, counters)
      // Every tx committed on node0 (the last ones submitted are the last to commit).
      await waitFor(async () => await allCommitted(urls[0]!, txs.slice(-BATCH), reader), 300_000, 'all txs committed')
      const target = (await clients[0]!.chainStatus()).height
      const blockTxs: number[] = []
      for (let height = startHeight + 1; height <= target; height++) blockTxs.push(((await clients[0]!.getBlock(height)) as unknown as {txs: string[]}).txs.length)
      const full = blockTxs.filter((count) => count === BLOCK_TXS).length
      console.log(`      ${consensus}: ${TXS} txs in ${blockTxs.length} blocks, ${full} of them full (${BLOCK_TXS} txs); ${counters.retries} RPC calls retried, ${counters.resent} txs resent after MEMPOOL_FULL`)
      expect(blockTxs.reduce((sum, count) => sum + count, 0)).to.be.at.least(TXS)
      expect(full, 'full blocks').to.be.at.least(Math.floor((TXS / BLOCK_TXS) * 0.8))

      const started = Date.now()
      await ok(['node', 'start', '--home', homes[3]!, '--detach'])
      await waitFor(async () => (await clients[3]!.chainStatus()).height >= target, CATCH_UP_MS, `node3 to reach height ${target} within ${CATCH_UP_MS} ms`, async () =>
        JSON.stringify((await ok(['node', 'status', '--home', homes[3]!])).chains[0].sync),
      )
      const caughtUpMs = Date.now() - started
      console.log(`      ${consensus}: node3 caught up ${target - 1} blocks in ${(caughtUpMs / 1000).toFixed(1)} s (start included)`)
      const status = await ok(['node', 'status', '--home', homes[3]!])
      expect(status.chains[0].sync.state).to.equal('following')

      for (let height = 1; height <= target; height++) {
        const hashes = await Promise.all(clients.map(async (client) => ((await client.getBlock(height)) as unknown as {hash: string}).hash))
        expect(new Set(hashes).size, `block ${height} hashes ${hashes}`).to.equal(1)
      }
      await expectAllReadable(urls[3]!, [...before, ...txs], 'node3', reader)

      // The disaster drill with default-size blocks: node2 lost, restored from the backup taken
      // many full blocks ago, then it catches up from its peers.
      process.kill(Number.parseInt(readFileSync(box.path('net', 'node2', 'node.pid'), 'utf8'), 10), 'SIGKILL')
      rmSync(homes[2]!, {recursive: true, force: true})
      const restored = await ok(['restore', '--home', homes[2]!, '--from', box.path('node2-full.wbk')])
      expect(restored).to.include({height: backup.toHeight})
      const drillStarted = Date.now()
      await ok(['node', 'start', '--home', homes[2]!, '--detach'])
      const waited = await ok(['node', 'wait', '--home', homes[2]!, '--peer', urls[0]!, '--timeout-ms', String(CATCH_UP_MS)])
      console.log(`      ${consensus}: node2 restored at height ${backup.toHeight}, caught up to ${waited.height} in ${((Date.now() - drillStarted) / 1000).toFixed(1)} s (start included)`)
      expect(waited.height).to.be.at.least(target)
      await expectAllReadable(urls[2]!, [...before, ...txs], 'node2', reader)
      for (let height = 1; height <= target; height++) {
        const hashes = await Promise.all([clients[0]!, clients[2]!].map(async (client) => ((await client.getBlock(height)) as unknown as {hash: string}).hash))
        expect(new Set(hashes).size, `block ${height} on node0 and restored node2`).to.equal(1)
      }
      for (const home of homes) await ok(['node', 'stop', '--home', home])
    })
  })
}

scenario('pbft')
scenario('raft')
