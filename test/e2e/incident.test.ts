/**
 * Incident response (spec §8.1.5) through the binary on a 4-node PBFT network: the org admin
 * disables an account (its `tx send` is refused with ACCOUNT_DISABLED) and enables it again;
 * disables node3 (the other three keep committing, node3 is cut off and falls behind) and
 * enables it again (it reconnects and catches up).
 */
import {expect} from 'chai'
import {createSigner, readKeystoreFile, type Signer} from '../../src/core/crypto/index.js'
import {createTx} from '../../src/core/types/tx.js'
import type {WichainClient} from '../../src/sdk/client.js'
import {networkClient, ok, Sandbox, waitFor, wichain} from './harness.js'

describe('e2e: incident response (account and node disable / enable)', function () {
  this.timeout(120_000)
  const box = new Sandbox()
  const clients: WichainClient[] = []
  const admin = ['--key', box.path('net', 'admin', 'orgadmin.json')]
  const userKey = box.path('net', 'admin', 'user.json')
  let rpc: string[]
  let user: Signer
  let counter = 0

  after(() => box.cleanup())

  const sendAsUser = () =>
    wichain(['tx', 'send', ...rpc, '--key', userKey, '--contract', 'evidence', '--method', 'put', '--args', JSON.stringify({key: `i${counter++}`, hash: '3'.repeat(64)}), '--json'])

  /** A user tx sent through node `via`, waited for; returns its height. */
  const commitVia = async (via: number): Promise<number> => {
    const status = await clients[via]!.chainStatus()
    const tx = createTx({chainId: 'wi-incident', contract: 'evidence', method: 'put', args: {key: `i${counter++}`, hash: '4'.repeat(64)}, expiry: status.height + 500}, user)
    const sent = await clients[via]!.sendTx(tx, 30_000)
    expect(sent.status).to.equal('ok')
    return sent.height!
  }
  const node3 = async () => (await clients[3]!.status()).chains[0]!

  before(async () => {
    const init = await ok(['chain', 'init', '--plaintext', '--out', box.path('net'), '--nodes', '4', '--consensus', 'pbft', '--chain-id', 'wi-incident', '--base-port', '0', '--template', 'dev'])
    for (const node of init.nodes as Array<{rpc: string}>) clients.push(networkClient(node.rpc, box.path('net')))
    rpc = ['--rpc', init.nodes[0].rpc]
    user = createSigner(readKeystoreFile(userKey))
    await Promise.all([0, 1, 2, 3].map((index) => ok(['node', 'start', '--home', box.path('net', `node${index}`), '--detach'])))
  })

  it('refuses a disabled account\'s txs with ACCOUNT_DISABLED until it is enabled again', async () => {
    const disabled = await ok(['account', 'disable', ...rpc, ...admin, '--address', user.address, '--reason', 'key leaked'])
    expect(disabled).to.deep.include({address: user.address, role: 'user', disabled: true})
    expect((await ok(['account', 'status', ...rpc, '--key', box.path('net', 'admin', 'auditor.json'), '--address', user.address])).disabledAt).to.deep.include({reason: 'key leaked', height: disabled.height})
    expect((await ok(['account', 'list', '--home', box.path('net', 'node1'), '--disabled'])).accounts.map((account: {address: string}) => account.address)).to.deep.equal([user.address])

    const refused = await sendAsUser()
    expect(refused.code).to.equal(4)
    expect(refused.json.error.code).to.equal('ACCOUNT_DISABLED')
    // A non-admin cannot undo it.
    const byUser = await wichain(['account', 'enable', ...rpc, '--key', userKey, '--address', user.address, '--json'])
    expect(byUser.json.error.code).to.equal('ACCOUNT_DISABLED')

    await ok(['account', 'enable', ...rpc, ...admin, '--address', user.address])
    const accepted = await sendAsUser()
    expect(accepted.code, accepted.stdout).to.equal(0)
    expect(accepted.json.status).to.equal('ok')
  })

  it('cuts a disabled node off while the other three keep committing', async () => {
    const disabled = await ok(['node', 'disable', ...rpc, ...admin, '--name', 'node3'])
    expect(disabled.member).to.deep.include({name: 'node3', disabled: true})
    expect(disabled.validators).to.equal(3)
    const members = (await ok(['node', 'list', ...rpc, '--key', box.path('net', 'admin', 'auditor.json')])).members as Array<{name: string; disabled?: boolean}>
    expect(members.find((member) => member.name === 'node3')).to.deep.include({disabled: true})

    await waitFor(async () => (await node3()).peers === 0, 20_000, 'node3 to lose every connection', async () => JSON.stringify((await node3()).peerList))
    const height = await commitVia(1)
    expect((await node3()).height).to.be.below(height)
    // Still cut off: the others refuse its redials.
    expect((await node3()).peers).to.equal(0)
  })

  it('lets an enabled node reconnect and catch up', async () => {
    const enabled = await ok(['node', 'enable', ...rpc, ...admin, '--name', 'node3'])
    expect(enabled.validators).to.equal(4)
    await waitFor(async () => (await node3()).height >= enabled.height, 30_000, 'node3 to catch up', async () => JSON.stringify(await node3()))
    await waitFor(async () => (await node3()).peers === 3, 20_000, 'node3 to be connected to all three again')
    const height = await commitVia(0)
    await waitFor(async () => (await node3()).height >= height, 20_000, 'node3 to commit a new block')
    const [ours, theirs] = await Promise.all([clients[0]!.getBlock(height), clients[3]!.getBlock(height)])
    expect(theirs.hash).to.equal(ours.hash)
  })
})
