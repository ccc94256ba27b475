/**
 * ChainNetwork.updateMembers on real loopback connections: a member disabled by `nodes.disable`
 * loses its live connection and is refused while it redials, even as a configured peer; once
 * enabled it is dialled again.
 */
import {expect} from 'chai'
import {toHex} from '../../../../src/core/bytes.js'
import type {NodeMember} from '../../../../src/core/chain/contracts/nodes.js'
import {parseGenesis} from '../../../../src/core/chain/genesis.js'
import {generateKeyPair} from '../../../../src/core/crypto/index.js'
import {nullLogger} from '../../../../src/core/log.js'
import type {NodeConfig} from '../../../../src/core/node/home.js'
import {ChainNetwork} from '../../../../src/core/node/network.js'
import {freePorts} from '../../../../src/ops/ports.js'

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('core/node/network: disabled members are cut off', function () {
  this.timeout(30_000)
  const keys = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
  const ids = keys.map((key) => toHex(key.publicKey))
  const genesis = parseGenesis({
    version: 1,
    chainId: 'wi-net',
    consensus: 'pbft',
    timestamp: 1_700_000_000_000,
    validators: ids.map((publicKey, index) => ({name: `node${index}`, publicKey})),
    accounts: [],
    params: {blockTxsMax: 100, blockIntervalMs: 1, txExpiryWindow: 100, mempoolTxsMax: 1000},
  })
  const members = (disabled: boolean): NodeMember[] =>
    ids.map((publicKey, index) => ({publicKey, name: `node${index}`, role: 'validator', address: '', ...(disabled && index === 2 ? {disabled: true as const} : {})}))
  let networks: ChainNetwork[] = []

  before(async () => {
    const ports = await freePorts(3)
    const config = (index: number): NodeConfig => ({
      version: 1, name: `node${index}`, chainId: 'wi-net', rpc: {host: '127.0.0.1', port: 1}, p2p: {host: '127.0.0.1', port: ports[index]!},
      peers: ids.flatMap((publicKey, peer) => (peer === index ? [] : [{name: `node${peer}`, publicKey, p2p: {host: '127.0.0.1', port: ports[peer]!}}])),
      logLevel: 'error', tickMs: 10,
    })
    networks = await Promise.all(keys.map((nodeKey, index) => ChainNetwork.start({config: config(index), genesis, nodeKey, logger: nullLogger})))
    await until(() => networks.every((network) => network.peerCount() === 2), 'the full mesh')
  })
  after(() => Promise.all(networks.map((network) => network.close())))

  it('drops a disabled configured peer and refuses its redials', async () => {
    networks[0]!.updateMembers(members(true))
    networks[1]!.updateMembers(members(true))
    await until(() => networks[2]!.peerCount() === 0, 'node2 to lose both connections')
    expect(networks[0]!.network.isConnected(ids[2]!)).to.equal(false)
    expect(networks[0]!.network.isConnected(ids[1]!)).to.equal(true)
    // node2 still dials (its backoff starts at 100 ms); the handshakes keep failing.
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(networks[2]!.peerCount()).to.equal(0)
  })

  it('dials an enabled member again', async () => {
    networks[0]!.updateMembers(members(false))
    networks[1]!.updateMembers(members(false))
    await until(() => networks.every((network) => network.peerCount() === 2), 'the mesh to heal')
  })
})
