/**
 * A header-only observer (`"sync": "headers"` in its config) on a 4-node PBFT network: added
 * with `node add --observer`, it syncs headers and certificates only, reaches the validators'
 * height with the same hashes, answers `node status` and `block get` from its header store,
 * checks a tx certificate against its headers, and keeps a much smaller data directory.
 */
import {expect} from 'chai'
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {createSigner, readKeystoreFile} from '../../src/core/crypto/index.js'
import {createTx} from '../../src/core/types/tx.js'
import {createJoiningHome} from './joining-home.js'
import {networkClient, networkSigner, ok, Sandbox, signedHeaders, waitFor, wichain} from './harness.js'

function directoryBytes(path: string): number {
  return readdirSync(path, {withFileTypes: true}).reduce((total, entry) => {
    const child = join(path, entry.name)
    return total + (entry.isDirectory() ? directoryBytes(child) : statSync(child).size)
  }, 0)
}

describe('e2e: header-only observer', function () {
  this.timeout(120_000)
  const box = new Sandbox()
  after(() => box.cleanup())

  it('syncs headers to the validators\' height and serves them', async () => {
    const init = await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '4', '--consensus', 'pbft', '--chain-id', 'wi-light', '--base-port', '0', '--template', 'dev'])
    const homes = [0, 1, 2, 3].map((index) => box.path('net', `node${index}`))
    await Promise.all(homes.map((home) => ok(['node', 'start', '--home', home, '--detach'])))
    const home = box.path('net', 'watch')
    const observer = await createJoiningHome(homes[0]!, home, 'watch', {sync: 'headers'})
    await ok(['node', 'add', '--rpc', init.nodes[0].rpc, '--key', box.path('net', 'admin', 'orgadmin.json'), '--public-key', observer.publicKey, '--name', 'watch', '--observer', '--address', observer.p2p])
    await ok(['node', 'start', '--home', home, '--detach'])

    const full = networkClient(init.nodes[0].rpc, box.path('net'))
    const light = networkClient(observer.rpc, box.path('net'))
    const signer = createSigner(readKeystoreFile(box.path('net', 'admin', 'user.json')))
    const expiry = (await full.chainStatus()).height + 500
    const txs = Array.from({length: 200}, (_, index) =>
      createTx({chainId: 'wi-light', contract: 'evidence', method: 'put', args: {key: `light-${index}`, hash: index.toString(16).padStart(64, '0'), meta: {note: 'x'.repeat(200)}}, expiry}, signer))
    const results = await Promise.all(txs.map((tx) => full.sendTx(tx, 30_000)))
    expect(results.every((result) => result.status === 'ok')).to.equal(true)

    const head = await full.chainStatus()
    await waitFor(async () => (await light.chainStatus()).height >= head.height, 30_000, 'the observer to sync headers', async () => JSON.stringify(await light.chainStatus()))
    const [ours, theirs] = await Promise.all([full.getBlock(head.height), light.getBlock(head.height)])
    expect(theirs.hash).to.equal(ours.hash)
    expect(theirs).to.include({sync: 'headers', txCount: ours.txCount}).and.not.have.property('txs')
    const cli = await ok(['block', 'get', String(results[0]!.height), '--home', home])
    expect(cli.hash).to.equal((await full.getBlock(results[0]!.height!)).hash)

    const status = await ok(['node', 'status', '--home', home])
    expect(status.chains[0]).to.include({role: 'observer', height: (await light.chainStatus()).height})
    expect(status.chains[0].sync).to.include({mode: 'headers'})
    const refused = await wichain(['tx', 'get', txs[0]!.hashHex, '--key', box.path('net', 'admin', 'auditor.json'), '--rpc', observer.rpc, '--json'])
    expect(refused.code).to.not.equal(0)
    expect(refused.stdout).to.match(/UNAVAILABLE/)

    const file = box.path('light.cert.json')
    await ok(['tx', 'proof', txs[7]!.hashHex, '--key', box.path('net', 'admin', 'auditor.json'), '--rpc', init.nodes[0].rpc, '--out', file])
    expect(await ok(['cert', 'verify', file, '--key', box.path('net', 'admin', 'auditor.json'), '--rpc', observer.rpc])).to.include({valid: true, txHash: txs[7]!.hashHex})

    // Monitoring works on a header-only node too (its headers come from its own store).
    const metrics = await (await fetch(`${observer.rpc}/metrics`, {headers: signedHeaders(networkSigner(box.path('net')), 'GET', `${observer.rpc}/metrics`)})).text()
    expect(metrics).to.match(/^wichain_chain_height\{chainId="[^"]+"\} [1-9]\d*$/m)
    expect(metrics).to.match(/^wichain_chain_head_timestamp_seconds\{/m)

    const fullBytes = directoryBytes(join(homes[0]!, 'data'))
    const lightBytes = directoryBytes(join(home, 'data'))
    expect(lightBytes, `header store ${lightBytes} B vs full ledger ${fullBytes} B`).to.be.below(fullBytes / 4)
  })
})
