/** A node home that joins the network of an existing home (e2e helper for node-set changes). */
import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {toHex} from '../../src/core/bytes.js'
import {createKeystore, generateKeyPair, readKeystoreFile, writeKeystoreFile} from '../../src/core/crypto/index.js'
import type {NodeConfig} from '../../src/core/node/home.js'
import {freePort} from '../../src/ops/ports.js'

export interface JoiningHome {
  readonly publicKey: string
  /** host:port of its P2P listener, for `node add --address`. */
  readonly p2p: string
  readonly rpc: string
}

/**
 * Same genesis as `template`, a new (unencrypted) node key, free ports, and every node of `template` as a peer.
 * `config` fields are merged into the new config (e.g. `{sync: 'headers'}`).
 */
export async function createJoiningHome(template: string, home: string, name: string, config: Partial<NodeConfig> = {}): Promise<JoiningHome> {
  mkdirSync(home, {recursive: true})
  copyFileSync(join(template, 'genesis.json'), join(home, 'genesis.json'))
  const key = generateKeyPair()
  writeKeystoreFile(join(home, 'node.key.json'), createKeystore(key))
  const base = JSON.parse(readFileSync(join(template, 'config.json'), 'utf8')) as NodeConfig
  const templateKey = toHex(readKeystoreFile(join(template, 'node.key.json')).publicKey)
  const written: NodeConfig = {
    ...base,
    name,
    rpc: {host: '127.0.0.1', port: await freePort()},
    p2p: {host: '127.0.0.1', port: await freePort()},
    peers: [...base.peers, {name: base.name, publicKey: templateKey, p2p: base.p2p}],
    ...config,
  }
  writeFileSync(join(home, 'config.json'), JSON.stringify(written, null, 2))
  return {publicKey: toHex(key.publicKey), p2p: `127.0.0.1:${written.p2p.port}`, rpc: `http://127.0.0.1:${written.rpc.port}`}
}
