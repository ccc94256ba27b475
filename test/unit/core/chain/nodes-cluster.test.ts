/**
 * The node set changes through committed `nodes` txs on an in-process PBFT cluster: a fifth
 * chain is added, catches up by block sync and then votes; a removed validator is no longer
 * needed for a commit.
 */
import {expect} from 'chai'
import {toHex} from '../../../../src/core/bytes.js'
import type {Chain} from '../../../../src/core/chain/chain.js'
import type {NodeMember} from '../../../../src/core/chain/contracts/nodes.js'
import type {Genesis} from '../../../../src/core/chain/genesis.js'
import {createSigner, generateKeyPair, type KeyPair, type Signer} from '../../../../src/core/crypto/index.js'
import {createTx, type Tx} from '../../../../src/core/types/tx.js'
import {accountOf, clusterGenesis, LoopbackCluster} from './cluster-fixture.js'

describe('core/chain with PBFT: changing the node set through nodes.add / nodes.remove', function () {
  this.timeout(60_000)
  const nodeKeys: KeyPair[] = Array.from({length: 5}, () => generateKeyPair())
  const ids = nodeKeys.map((key) => toHex(key.publicKey))
  const admin = createSigner(generateKeyPair())
  const user = createSigner(generateKeyPair())
  const genesis: Genesis = clusterGenesis('wi-nodes', nodeKeys.slice(0, 4), [accountOf('admin', 'orgadmin', admin), accountOf('user', 'user', user)])
  let cluster: LoopbackCluster
  const changes: Array<{validators: readonly string[]; members: readonly NodeMember[]}> = []
  // Short names for what the tests below read and set.
  let chains: Chain[] = []
  const setOnline = (nodes: number[]) => (cluster.online = new Set(nodes))

  /** Submit to node 0 and run until every online chain committed it; returns its height. */
  async function commit(tx: Tx): Promise<number> {
    await chains[0]!.submitTx(tx.bytes)
    await cluster.run(300, () => cluster.committedEverywhere(tx.hashHex))
    const location = (await chains[0]!.getTxLocation(tx.hashHex))!
    expect(location.status).to.equal('ok')
    return location.height
  }

  const tx = (signer: Signer, contract: string, method: string, args: unknown) =>
    createTx({chainId: 'wi-nodes', contract, method, args, expiry: chains[0]!.head().height + 90}, signer)

  beforeEach(async () => {
    changes.length = 0
    cluster = new LoopbackCluster(genesis, nodeKeys, (index) => ({
      onValidatorsChanged: (validators, members) => index === 0 && void changes.push({validators, members}),
    }))
    await cluster.openAll()
    chains = cluster.chains
    setOnline([0, 1, 2, 3])
  })
  afterEach(() => cluster.close())

  it('adds a fifth validator that syncs, then votes; removes one and commits without it', async () => {
    expect(chains[0]!.validators()).to.deep.equal(ids.slice(0, 4))
    const addHeight = await commit(tx(admin, 'nodes', 'add', {publicKey: ids[4], name: 'node4', role: 'validator', address: '127.0.0.1:1'}))
    expect(changes).to.have.length(1)
    expect(changes[0]!.validators).to.deep.equal(ids)
    expect(changes[0]!.members[4]).to.deep.equal({publicKey: ids[4], name: 'node4', role: 'validator', address: '127.0.0.1:1'})
    for (const chain of chains.slice(0, 4)) expect(chain.validators()).to.deep.equal(ids)

    // The new node catches up by block sync; applying the add block reconfigures its engine.
    const newcomer = chains[4]!
    expect(newcomer.validators()).to.deep.equal(ids.slice(0, 4))
    for (const block of await chains[0]!.committedBlocks(1, 100)) expect(await newcomer.applySynced(block)).to.equal(true)
    expect(newcomer.head().height).to.equal(addHeight)
    expect(toHex(newcomer.head().hash)).to.equal(toHex(chains[0]!.head().hash))
    expect(newcomer.validators()).to.deep.equal(ids)

    // Node 3 is down: with five validators a quorum is four, so the commit needs node 4's vote.
    setOnline([0, 1, 2, 4])
    const votedHeight = await commit(tx(user, 'evidence', 'put', {key: 'after-add', hash: 'f'.repeat(64)}))
    const certificate = (await chains[0]!.getCertificate(votedHeight))!
    expect(certificate.signatures.map((signature) => signature.signer)).to.include(ids[4])

    await commit(tx(admin, 'nodes', 'remove', {publicKey: ids[3]}))
    const remaining = [ids[0], ids[1], ids[2], ids[4]]
    expect(chains[0]!.validators()).to.deep.equal(remaining)
    expect(changes.at(-1)!.validators).to.deep.equal(remaining)

    // Four validators left, quorum three: nodes 0, 1 and 2 commit without node 3 (or node 4).
    setOnline([0, 1, 2])
    const height = await commit(tx(user, 'evidence', 'put', {key: 'after-remove', hash: 'e'.repeat(64)}))
    const signers = (await chains[0]!.getCertificate(height))!.signatures.map((signature) => signature.signer)
    expect(signers).to.not.include(ids[3])
  })

  it('reopens with the changed set (a restart does not fall back to the genesis validators)', async () => {
    await commit(tx(admin, 'nodes', 'add', {publicKey: ids[4], name: 'node4', role: 'observer'}))
    await commit(tx(admin, 'nodes', 'remove', {publicKey: ids[3]}))
    expect(chains[0]!.validators()).to.deep.equal(ids.slice(0, 3))
    await chains[0]!.close()
    chains[0] = await cluster.open(0)
    expect(chains[0].validators()).to.deep.equal(ids.slice(0, 3))
    expect(chains[0].members().map((member) => member.role)).to.deep.equal(['validator', 'validator', 'validator', 'observer'])
    // Three validators, quorum three: the commit needs 0, 1 and 2, and node 3 is no longer asked.
    setOnline([0, 1, 2])
    await commit(tx(user, 'evidence', 'put', {key: 'after-restart', hash: 'd'.repeat(64)}))
  })
})
