/** Helpers commands share: reach a node from --rpc or --home, signing as --key; unlock a keystore. */
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {WichainError} from '../core/errors.js'
import {createSigner, readKeystoreFile, readPasswordFile, type KeyPair, type Signer} from '../core/crypto/index.js'
import {readNodeConfig, rpcUrl} from '../core/node/home.js'
import {WichainClient, type ClientSigner} from '../sdk/client.js'
import {keyFlag, passwordFileFlag} from './flags.js'

/** Flags of every command that reads a running node: the account whose key signs its requests. */
export function signingFlags() {
  return {
    key: keyFlag({description: 'account keystore that signs the requests to the node (reads and node operations need one; a dev network from `up` defaults to its auditor)'}),
    'password-file': passwordFileFlag(),
  }
}

export interface NodeClientFlags {
  readonly rpc?: string
  readonly home?: string
  readonly chain?: string
  readonly key?: string
  readonly 'password-file'?: string
}

/** What an UNAUTHORIZED "needs a signed request" answer tells a CLI user. */
const UNSIGNED_HINT = 'give --key FILE (an account keystore; or set WICHAIN_KEY) with --password-file if it is encrypted'

/**
 * A dev network's read key: for a home inside a network directory whose `admin/auditor.json` is
 * unencrypted (what `wichain up` writes), that auditor (reads, metrics, archive, backup; never a
 * write). Whoever can read that file holds the key anyway; encrypted networks always need --key.
 */
export function devNetworkKeyFile(home: string): string | undefined {
  const file = join(dirname(resolve(home)), 'admin', 'auditor.json')
  if (!existsSync(file)) return undefined
  try {
    const keystore = JSON.parse(readFileSync(file, 'utf8')) as {crypto?: {cipher?: unknown}}
    return keystore.crypto?.cipher === 'none' ? file : undefined
  } catch {
    return undefined
  }
}

/** The signer for a node's client: --key (WICHAIN_KEY), else a dev network's auditor; unlocked on first use. */
export function clientSignerFor(flags: NodeClientFlags): ClientSigner | undefined {
  const keyFile = flags.key ?? process.env.WICHAIN_KEY ?? (flags.home === undefined ? undefined : devNetworkKeyFile(flags.home))
  if (keyFile === undefined || keyFile === '') return undefined
  const passwordFile = flags['password-file'] ?? process.env.WICHAIN_PASSWORD_FILE
  return (): Signer => createSigner(readKeystoreFile(keyFile, passwordFile === undefined || passwordFile === '' ? undefined : readPasswordFile(passwordFile)))
}

export function clientFor(flags: NodeClientFlags): WichainClient {
  const options = {chainId: flags.chain, signer: clientSignerFor(flags), unsignedHint: UNSIGNED_HINT}
  if (flags.rpc !== undefined) return new WichainClient(flags.rpc, options)
  if (flags.home !== undefined) return new WichainClient(rpcUrl(readNodeConfig(flags.home).rpc), options)
  throw new WichainError('USAGE', 'give --rpc URL or --home DIR (or set WICHAIN_RPC / WICHAIN_HOME)')
}

export async function loadKey(flags: {key?: string; 'password-file'?: string}): Promise<KeyPair> {
  if (flags.key === undefined) throw new WichainError('USAGE', 'give --key FILE (a keystore)')
  const password = flags['password-file'] === undefined ? undefined : await readPasswordFile(flags['password-file'])
  return readKeystoreFile(flags.key, password)
}

export function readInputFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    throw new WichainError('FILE_NOT_FOUND', `${what} ${path} cannot be read: ${(error as Error).message}`)
  }
}
