import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runNode, type RunningNode} from '../../../src/api/daemon.js'
import {createSigner, readKeystoreFile} from '../../../src/core/crypto/index.js'
import {nullLogger} from '../../../src/core/log.js'
import {createTx} from '../../../src/core/types/tx.js'
import {initNetwork} from '../../../src/ops/network.js'
import {WichainClient} from '../../../src/sdk/client.js'
import {parseMetricsText, type MetricSample} from '../../../src/sdk/metrics-text.js'
import {signedHeaders} from './rpc-fixture.js'

const CHAIN = 'wi-metrics'

describe('api/metrics: GET /metrics on the RPC port', function () {
  this.timeout(30_000)
  const dir = mkdtempSync(join(tmpdir(), 'wichain-metrics-'))
  let running: RunningNode
  let client: WichainClient
  let userKey: string
  let auditor: ReturnType<typeof createSigner>
  /** GET `path` signed as the auditor (metrics need `metrics.read`). */
  const signedGet = (path: string) => {
    const url = new URL(path, client.url).href
    return fetch(url, {headers: signedHeaders(auditor, 'GET', url, '')})
  }

  before(async () => {
    const network = await initNetwork({out: join(dir, 'net'), nodes: 1, consensus: 'solo', chainId: CHAIN, basePort: 0, template: 'dev', kdfIterations: 1})
    userKey = network.admin.user.file
    running = await runNode({home: network.nodes[0]!.home, logger: nullLogger})
    auditor = createSigner(readKeystoreFile(network.admin.auditor.file))
    client = new WichainClient(network.nodes[0]!.rpc, {signer: auditor})
  })

  after(async () => {
    await running?.stop()
    rmSync(dir, {recursive: true, force: true})
  })

  const sample = (samples: readonly MetricSample[], name: string, labels: Record<string, string> = {chainId: CHAIN}): number | null | undefined =>
    samples.find((entry) => entry.name === name && Object.entries(labels).every(([key, value]) => entry.labels[key] === value))?.value

  it('serves Prometheus text with the wichain metrics and process metrics', async () => {
    const response = await signedGet('/metrics')
    expect(response.status).to.equal(200)
    expect(response.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/)
    const {types, samples} = parseMetricsText(await response.text())
    expect(types).to.include({
      wichain_node_info: 'gauge', wichain_chain_height: 'gauge', wichain_chain_head_timestamp_seconds: 'gauge', wichain_peers_connected: 'gauge',
      wichain_peer_up: 'gauge', wichain_peer_height: 'gauge', wichain_consensus_round: 'gauge', wichain_consensus_role: 'gauge',
      wichain_mempool_txs: 'gauge', wichain_mempool_bytes: 'gauge', wichain_commit_latency_seconds: 'histogram',
      wichain_blocks_committed_total: 'counter', wichain_txs_committed_total: 'counter', wichain_ledger_disk_bytes: 'gauge',
      wichain_contract_calls_total: 'counter', wichain_contract_failures_total: 'counter', wichain_contract_gas_used_total: 'counter',
      process_cpu_seconds_total: 'counter', nodejs_heap_size_used_bytes: 'gauge',
      wichain_sync_gap_blocks: 'gauge', wichain_sync_state: 'gauge', wichain_sync_blocks_per_second: 'gauge', wichain_sync_failures_total: 'counter',
      wichain_chain_queue_depth: 'gauge', wichain_chain_queue_dropped_total: 'counter',
    })
    expect(sample(samples, 'wichain_chain_queue_dropped_total')).to.equal(0)
    expect(sample(samples, 'wichain_chain_queue_depth')).to.be.at.least(0)
    expect(sample(samples, 'wichain_sync_state', {chainId: CHAIN, state: 'following'})).to.equal(1)
    expect(sample(samples, 'wichain_sync_gap_blocks')).to.equal(0)
    expect(sample(samples, 'wichain_sync_failures_total')).to.equal(0)
    const status = await client.status()
    expect(sample(samples, 'wichain_node_info', {chainId: CHAIN, consensus: 'solo', nodeId: status.nodeId, name: 'node0'})).to.equal(1)
    expect(sample(samples, 'wichain_consensus_role', {chainId: CHAIN, role: 'leader'})).to.equal(1)
    expect(sample(samples, 'wichain_chain_height')).to.equal(0)
    expect(sample(samples, 'wichain_ledger_disk_bytes')).to.be.greaterThan(0)
  })

  it('moves height, commit counters and the latency histogram after a tx, in step with node status', async () => {
    const signer = createSigner(readKeystoreFile(userKey, undefined))
    const tx = createTx({chainId: CHAIN, contract: 'evidence', method: 'put', args: {key: 'INJ-1', hash: 'a'.repeat(64)}, expiry: 50}, signer)
    const sent = await client.sendTx(tx, 10_000)
    expect(sent.status).to.equal('ok')
    const {samples} = parseMetricsText(await client.metricsText())
    expect(sample(samples, 'wichain_chain_height')).to.equal(sent.height)
    expect(sample(samples, 'wichain_blocks_committed_total')).to.equal(sent.height)
    expect(sample(samples, 'wichain_txs_committed_total')).to.equal(1)
    expect(sample(samples, 'wichain_commit_latency_seconds_count')).to.equal(1)
    expect(sample(samples, 'wichain_chain_head_timestamp_seconds')).to.be.closeTo(Date.now() / 1000, 60)
    const chain = (await client.status()).chains[0]!
    expect(chain.commits).to.deep.include({blocks: sent.height, txs: 1})
    expect((chain.commits as {latencyMs: {samples: number}}).latencyMs.samples).to.equal(1)
    expect(sample(samples, 'wichain_chain_queue_dropped_total')).to.equal((chain.queue as {dropped: number}).dropped)
  })

  it('keeps JSON-RPC on POST, with /health and /metrics beside it', async () => {
    expect((await fetch(new URL('/health', client.url))).status).to.equal(200)
    expect((await signedGet('/metrics?debug=1')).status).to.equal(200)
    expect((await fetch(new URL('/metrics', client.url))).status).to.equal(403)
    expect((await fetch(new URL('/other', client.url))).status).to.equal(405)
    expect((await client.chainStatus()).chainId).to.equal(CHAIN)
  })
})
