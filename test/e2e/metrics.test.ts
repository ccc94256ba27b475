/**
 * Monitoring end to end on a one-node solo chain: /metrics over plain HTTP as Prometheus would
 * scrape it, `node metrics` (text and --json), the height moving after a tx, and the
 * `node status` tables.
 */
import {expect} from 'chai'
import {networkSigner, ok, Sandbox, signedHeaders, wichain} from './harness.js'

describe('e2e: monitoring (metrics and node status)', function () {
  this.timeout(120_000)
  const box = new Sandbox()
  const home = box.path('net', 'node0')
  let rpc: string

  after(() => box.cleanup())

  before(async () => {
    rpc = (await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '1', '--consensus', 'solo', '--chain-id', 'wi-mon', '--base-port', '0', '--template', 'dev'])).nodes[0].rpc
    await ok(['node', 'start', '--home', home, '--detach'])
  })

  it('serves the wichain metrics on GET /metrics of the RPC port', async () => {
    // Prometheus as an auditor would scrape it: a signed GET (unsigned is refused unless metrics.public).
    expect((await fetch(`${rpc}/metrics`)).status).to.equal(403)
    const response = await fetch(`${rpc}/metrics`, {headers: signedHeaders(networkSigner(box.path('net')), 'GET', `${rpc}/metrics`)})
    expect(response.status).to.equal(200)
    const text = await response.text()
    for (const name of ['wichain_node_info', 'wichain_chain_height', 'wichain_peers_connected', 'wichain_consensus_role', 'wichain_mempool_txs', 'wichain_commit_latency_seconds', 'wichain_ledger_disk_bytes', 'process_resident_memory_bytes']) {
      expect(text).to.match(new RegExp(`^# TYPE ${name} `, 'm'))
    }
    const raw = await wichain(['node', 'metrics', '--rpc', rpc, '--key', box.path('net', 'admin', 'auditor.json')])
    expect(raw.code).to.equal(0)
    expect(raw.stdout).to.match(/^wichain_chain_height\{chainId="wi-mon"\} 0$/m)
  })

  it('moves the height and commit figures after a tx, in metrics and in the node status table', async () => {
    const sent = await ok(['tx', 'send', '--rpc', rpc, '--key', box.path('net', 'admin', 'user.json'), '--contract', 'evidence', '--method', 'put', '--args', JSON.stringify({key: 'MON-1', hash: 'b'.repeat(64)})])
    const {samples} = await ok(['node', 'metrics', '--home', home])
    const value = (name: string) => samples.find((sample: {name: string}) => sample.name === name)?.value
    expect(value('wichain_chain_height')).to.equal(sent.height)
    expect(value('wichain_txs_committed_total')).to.equal(1)
    const status = await ok(['node', 'status', '--home', home])
    expect(status.chains[0]).to.include({chainId: 'wi-mon', height: sent.height, consensus: 'solo', role: 'leader', peers: 0})
    expect(status.chains[0].commits).to.deep.include({txs: 1})
    const table = await wichain(['node', 'status', '--home', home])
    expect(table.code).to.equal(0)
    for (const column of ['chainId', 'height', 'role', 'mempool', 'disk', 'txs committed', 'latency p99 ms']) expect(table.stdout).to.include(column)
    expect(table.stdout).to.match(new RegExp(`│ wi-mon\\s+│ ${sent.height}\\s+│`))
  })
})
