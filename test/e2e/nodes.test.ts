/**
 * `node add` / `node remove` through the binary on a 4-node PBFT network: a fifth home is made
 * from node0's config and genesis with a new key, added by the org admin, started; it syncs and
 * then its vote is needed (node3 down, quorum 4 of 5). Removing node3 lets 4 nodes commit again.
 */
import {expect} from 'chai'
import {mkdirSync, copyFileSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {createSigner, readKeystoreFile, type Signer} from '../../src/core/crypto/index.js'
import type {NodeConfig} from '../../src/core/node/home.js'
import {createTx} from '../../src/core/types/tx.js'
import type {WichainClient} from '../../src/sdk/client.js'
import {freePort} from '../../src/ops/ports.js'
import {networkClient, ok, Sandbox, waitFor, wichain} from './harness.js'

/** A new home joining the network of `template`: same genesis, a new key, every node as a peer. */
async function createJoiningHome(template: string, home: string, name: string): Promise<{publicKey: string; p2p: string; rpc: string}> {
  mkdirSync(home, {recursive: true})
  copyFileSync(join(template, 'genesis.json'), join(home, 'genesis.json'))
  const key = await ok(['key', 'gen', '--plaintext', '--out', join(home, 'node.key.json')])
  const base = JSON.parse(readFileSync(join(template, 'config.json'), 'utf8')) as NodeConfig
  const templateKey = (await ok(['key', 'export', '--key', join(template, 'node.key.json'), '--format', 'hex'])).publicKey as string
  const config: NodeConfig = {
    ...base,
    name,
    rpc: {host: '127.0.0.1', port: await freePort()},
    p2p: {host: '127.0.0.1', port: await freePort()},
    peers: [...base.peers, {name: base.name, publicKey: templateKey, p2p: base.p2p}],
  }
  writeFileSync(join(home, 'config.json'), JSON.stringify(config, null, 2))
  return {publicKey: key.publicKey, p2p: `127.0.0.1:${config.p2p.port}`, rpc: `http://127.0.0.1:${config.rpc.port}`}
}

describe('e2e: node add / node remove on a PBFT network', function () {
  this.timeout(300_000)
  const box = new Sandbox()
  const homes = [0, 1, 2, 3, 4].map((index) => box.path('net', `node${index}`))
  const clients: WichainClient[] = []
  const nodeIds: string[] = []
  let signer: Signer
  let counter = 0

  after(() => box.cleanup())

  const send = async (via: number, waitMs = 30_000) => {
    const status = await clients[via]!.chainStatus()
    const tx = createTx({chainId: 'wi-nodes', contract: 'evidence', method: 'put', args: {key: `n${counter++}`, hash: '2'.repeat(64)}, expiry: status.height + 500}, signer)
    return clients[via]!.sendTx(tx, waitMs)
  }

  const admin = ['--key', box.path('net', 'admin', 'orgadmin.json')]

  it('adds a fifth validator whose vote then commits blocks', async () => {
    const init = await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '4', '--consensus', 'pbft', '--chain-id', 'wi-nodes', '--base-port', '0', '--template', 'dev'])
    for (const node of init.nodes as Array<{rpc: string; nodeId: string}>) {
      clients.push(networkClient(node.rpc, box.path('net')))
      nodeIds.push(node.nodeId)
    }
    signer = createSigner(readKeystoreFile(box.path('net', 'admin', 'user.json')))
    await Promise.all(homes.slice(0, 4).map((home) => ok(['node', 'start', '--home', home, '--detach'])))
    expect((await send(0)).status).to.equal('ok')

    const joining = await createJoiningHome(homes[0]!, homes[4]!, 'node4')
    clients.push(networkClient(joining.rpc, box.path('net')))
    nodeIds.push(joining.publicKey)
    const rpc = ['--rpc', init.nodes[0].rpc]
    const refused = await wichain(['node', 'add', ...rpc, '--key', box.path('net', 'admin', 'user.json'), '--public-key', joining.publicKey, '--name', 'node4', '--json'])
    expect(refused.code).to.not.equal(0)
    expect(refused.stdout + refused.stderr).to.match(/UNAUTHORIZED/)
    const added = await ok(['node', 'add', ...rpc, ...admin, '--public-key', joining.publicKey, '--name', 'node4', '--address', joining.p2p])
    expect(added.added).to.deep.include({publicKey: joining.publicKey, role: 'validator'})
    expect((await ok(['node', 'list', ...rpc, '--key', box.path('net', 'admin', 'auditor.json')])).members).to.have.length(5)

    await ok(['node', 'start', '--home', homes[4]!, '--detach'])
    await waitFor(async () => (await clients[4]!.chainStatus()).height >= added.height, 60_000, 'node4 to sync')

    // With five validators a quorum is four: with node3 down, nothing commits without node4.
    process.kill(Number.parseInt(readFileSync(join(homes[3]!, 'node.pid'), 'utf8'), 10), 'SIGKILL')
    const voted = await send(1)
    expect(voted.status).to.equal('ok')
    await waitFor(async () => (await clients[4]!.chainStatus()).height >= voted.height!, 30_000, 'node4 to commit')
    const [ours, theirs] = await Promise.all([clients[0]!.getBlock(voted.height!), clients[4]!.getBlock(voted.height!)])
    expect(theirs.hash).to.equal(ours.hash)
  })

  it('removes the stopped node3 and keeps committing without it', async () => {
    const removed = await ok(['node', 'remove', '--rpc', clients[0]!.url, ...admin, '--public-key', nodeIds[3]!])
    expect(removed.validators).to.equal(4)
    await waitFor(async () => (await clients[4]!.chainStatus()).height >= removed.height, 30_000, 'node4 to commit the removal')
    const members = (await ok(['node', 'list', '--home', homes[4]!])).members as Array<{publicKey: string}>
    expect(members.map((member) => member.publicKey)).to.not.include(nodeIds[3])
    // Four validators (0, 1, 2, 4), quorum three: node4 down too and the chain still commits.
    process.kill(Number.parseInt(readFileSync(join(homes[4]!, 'node.pid'), 'utf8'), 10), 'SIGKILL')
    expect((await send(2)).status).to.equal('ok')
  })

  it('adds an observer that syncs every block but does not vote', async () => {
    const home = box.path('net', 'node5')
    const observer = await createJoiningHome(homes[0]!, home, 'node5')
    const added = await ok(['node', 'add', '--rpc', clients[0]!.url, ...admin, '--public-key', observer.publicKey, '--name', 'node5', '--observer', '--address', observer.p2p])
    expect(added.added).to.deep.include({publicKey: observer.publicKey, role: 'observer'})
    await ok(['node', 'start', '--home', home, '--detach'])
    const client = networkClient(observer.rpc, box.path('net'))
    const committed = await send(0)
    expect(committed.status).to.equal('ok')
    await waitFor(async () => (await client.chainStatus()).height >= committed.height!, 60_000, 'the observer to sync')
    const status = await ok(['node', 'status', '--home', home])
    expect(status.chains[0].role).to.equal('observer')
    const [ours, theirs] = await Promise.all([clients[0]!.getBlock(committed.height!), client.getBlock(committed.height!)])
    expect(theirs.hash).to.equal(ours.hash)
    await ok(['node', 'stop', '--home', home])
  })
})
