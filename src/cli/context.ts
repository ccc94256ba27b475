/** Helpers commands share: reach a node from --rpc or --home; unlock a keystore. */
import {readFileSync} from 'node:fs'
import {WichainError} from '../core/errors.js'
import {readKeystoreFile, readPasswordFile, type KeyPair} from '../core/crypto/index.js'
import {readNodeConfig, rpcUrl} from '../core/node/home.js'
import {WichainClient} from '../sdk/client.js'

export function clientFor(flags: {rpc?: string; home?: string; chain?: string}): WichainClient {
  if (flags.rpc !== undefined) return new WichainClient(flags.rpc, {chainId: flags.chain})
  if (flags.home !== undefined) return new WichainClient(rpcUrl(readNodeConfig(flags.home).rpc), {chainId: flags.chain})
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
