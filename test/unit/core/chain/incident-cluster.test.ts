/**
 * Incident response on an in-process PBFT cluster: an org admin disables an account (every
 * replica then refuses its txs) and a validator (the other three commit without it), then
 * enables both again (the node catches up by block sync and votes again).
 */
import {expect} from 'chai'
import {toHex} from '../../../../src/core/bytes.js'
import type {Chain} from '../../../../src/core/chain/chain.js'
import type {NodeMember} from '../../../../src/core/chain/contracts/nodes.js'
import type {Genesis} from '../../../../src/core/chain/genesis.js'
import {createSigner, generateKeyPair, type KeyPair, type Signer} from '../../../../src/core/crypto/index.js'
import {createTx, type Tx} from '../../../../src/core/types/tx.js'
import {accountOf, clusterGenesis, LoopbackCluster} from './cluster-fixture.js'

describe('core/chain with PBFT: disabling and enabling accounts and nodes', function () {
  this.timeout(60_000)
  const nodeKeys: KeyPair[] = Array.from({length: 4}, () => generateKeyPair())
  const ids = nodeKeys.map((key) => toHex(key.publicKey))
  const admin = createSigner(generateKeyPair())
  const user = createSigner(generateKeyPair())
  const genesis: Genesis = clusterGenesis('wi-incident', nodeKeys, [accountOf('admin', 'orgadmin', admin), accountOf('user', 'user', user)])
  const changes: Array<readonly NodeMember[]> = []
  const cluster = new LoopbackCluster(genesis, nodeKeys, (index) => ({
    onValidatorsChanged: (_validators, members) => index === 0 && void changes.push(members),
  }))
  let chains: Chain[] = []
  let counter = 0

  before(async () => {
    await cluster.openAll()
    chains = cluster.chains
  })
  after(() => cluster.close())

  const tx = (signer: Signer, contract: string, method: string, args: unknown) =>
    createTx({chainId: 'wi-incident', contract, method, args, expiry: chains[0]!.head().height + 90}, signer)
  const evidence = (signer: Signer) => tx(signer, 'evidence', 'put', {key: `incident-${counter++}`, hash: 'c'.repeat(64)})

  /** Submit to node 0 and run until every online chain committed it ok; returns its height. */
  async function commit(committed: Tx): Promise<number> {
    await chains[0]!.submitTx(committed.bytes)
    await cluster.run(300, () => cluster.committedEverywhere(committed.hashHex))
    const location = (await chains[0]!.getTxLocation(committed.hashHex))!
    expect(location.status).to.equal('ok')
    return location.height
  }

  it('refuses a disabled account on every replica, and admits it again once enabled', async () => {
    await commit(tx(admin, 'accounts', 'disable', {address: user.address, reason: 'key leaked'}))
    for (const chain of chains) {
      let code: unknown
      await chain.submitTx(evidence(user).bytes).catch((error: {code: string}) => (code = error.code))
      expect(code).to.equal('ACCOUNT_DISABLED')
    }
    expect(chains[2]!.query('accounts', 'get', {address: user.address})).to.deep.include({disabled: true})
    await commit(tx(admin, 'accounts', 'enable', {address: user.address}))
    await commit(evidence(user))
  })

  it('commits without a disabled validator, which keeps its record', async () => {
    await commit(tx(admin, 'nodes', 'disable', {publicKey: ids[3]}))
    expect(chains[0]!.validators()).to.deep.equal(ids.slice(0, 3))
    expect(changes.at(-1)!.find((member) => member.publicKey === ids[3])).to.deep.include({name: 'node3', disabled: true})
    // Three validators, quorum three: 0, 1 and 2 commit while node 3 hears nothing.
    cluster.online = new Set([0, 1, 2])
    const height = await commit(evidence(user))
    const signers = (await chains[0]!.getCertificate(height))!.signatures.map((signature) => signature.signer)
    expect(signers).to.have.members(ids.slice(0, 3))
    expect(chains[3]!.head().height).to.be.below(height)
  })

  it('an enabled validator catches up by block sync and its vote is needed again', async () => {
    const enabledAt = await commit(tx(admin, 'nodes', 'enable', {publicKey: ids[3]}))
    expect(chains[0]!.validators()).to.deep.equal(ids)
    for (const block of await chains[0]!.committedBlocks(chains[3]!.head().height + 1, 100)) expect(await chains[3]!.applySynced(block)).to.equal(true)
    expect(chains[3]!.head().height).to.equal(enabledAt)
    expect(chains[3]!.validators()).to.deep.equal(ids)
    // Four validators, quorum three: with node 2 down, nothing commits without node 3.
    cluster.online = new Set([0, 1, 3])
    const height = await commit(evidence(user))
    const signers = (await chains[0]!.getCertificate(height))!.signatures.map((signature) => signature.signer)
    expect(signers).to.include(ids[3])
  })
})
