/**
 * Four PBFT (then Raft) nodes as separate processes on loopback: commits with all up; kill -9 of
 * one and the rest keep committing; it restarts and catches up; with two down the chain halts
 * without forking (PBFT needs 3 of 4, Raft a majority of 3) and resumes when one returns; every
 * node agrees on every block hash.
 */
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {createSigner, readKeystoreFile, type Signer} from '../../src/core/crypto/index.js'
import {createTx} from '../../src/core/types/tx.js'
import type {WichainClient} from '../../src/sdk/client.js'
import {networkClient, ok, Sandbox, waitFor as waitUntil} from './harness.js'

for (const consensus of ['pbft', 'raft'] as const) describe(`e2e: 4-node ${consensus} network`, function () {
  this.timeout(300_000)
  const box = new Sandbox()
  const homes = [0, 1, 2, 3].map((index) => box.path('net', `node${index}`))
  let clients: WichainClient[]
  let signer: Signer
  let counter = 0

  after(() => box.cleanup())

  const send = async (via: number, waitMs = 30_000) => {
    const status = await clients[via]!.chainStatus()
    const tx = createTx({chainId: 'wi-pbft', contract: 'evidence', method: 'put', args: {key: `r${counter++}`, hash: '1'.repeat(64)}, expiry: status.height + 500}, signer)
    return clients[via]!.sendTx(tx, waitMs)
  }

  const heights = () => Promise.all(clients.map((client) => client.chainStatus().then((status) => status.height).catch(() => -1)))

  const waitFor = (condition: () => Promise<boolean>, timeoutMs: number, what: string) =>
    waitUntil(condition, timeoutMs, what, async () => `heights ${(await heights()).join(',')}`)

  async function agreeUpTo(indexes: number[], height: number): Promise<void> {
    for (let h = 1; h <= height; h++) {
      const hashes = await Promise.all(indexes.map((index) => clients[index]!.getBlock(h).then((block) => block.hash)))
      expect(new Set(hashes).size, `block ${h}`).to.equal(1)
    }
  }

  const kill = (index: number) => process.kill(Number.parseInt(readFileSync(`${homes[index]}/node.pid`, 'utf8'), 10), 'SIGKILL')

  it('starts four nodes and commits on all of them', async () => {
    const init = await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '4', '--consensus', consensus, '--chain-id', 'wi-pbft', '--base-port', '0', '--template', 'dev'])
    clients = init.nodes.map((node: {rpc: string}) => networkClient(node.rpc, box.path('net')))
    signer = createSigner(readKeystoreFile(box.path('net', 'admin', 'user.json')))
    await Promise.all(homes.map((home) => ok(['node', 'start', '--home', home, '--detach'])))
    const first = await send(0)
    expect(first.status).to.equal('ok')
    const second = await send(2)
    expect(second.status).to.equal('ok')
    await waitFor(async () => (await heights()).every((height) => height >= second.height!), 30_000, 'all nodes at the head')
    await agreeUpTo([0, 1, 2, 3], second.height!)
  })

  it('keeps committing with one node killed, and the node catches up after restart', async () => {
    kill(3)
    const during = []
    for (let i = 0; i < 3; i++) during.push(await send(i % 3))
    for (const result of during) expect(result.status).to.equal('ok')
    await ok(['node', 'start', '--home', homes[3]!, '--detach'])
    const top = during.at(-1)!.height!
    await waitFor(async () => (await heights())[3]! >= top, 60_000, 'node3 to catch up')
    await agreeUpTo([0, 1, 2, 3], top)
  })

  it('halts without forking with two nodes down, and resumes when one returns', async () => {
    const before = Math.max(...(await heights()))
    kill(2)
    kill(3)
    const stalled = await send(0, 3_000)
    expect(stalled.status).to.equal('pending')
    expect(Math.max(...(await heights()).slice(0, 2))).to.equal(before)
    await ok(['node', 'start', '--home', homes[2]!, '--detach'])
    await waitFor(async () => (await clients[0]!.getTx(stalled.txHash).catch(() => ({status: 'unknown'}))).status === 'ok', 90_000, 'the stalled tx to commit')
    await ok(['node', 'start', '--home', homes[3]!, '--detach'])
    const top = Math.max(...(await heights()))
    await waitFor(async () => (await heights()).every((height) => height >= top), 60_000, 'all nodes at the head')
    await agreeUpTo([0, 1, 2, 3], top)
    await Promise.all(homes.map((home) => ok(['node', 'stop', '--home', home])))
  })
})
