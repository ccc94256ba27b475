/**
 * Helpers of the incident-response commands (`node disable|enable`, `account …`): naming a node
 * by public key or by name, and the shared flags and rows of the account commands.
 */
import {Flags} from '@oclif/core'
import {WichainError} from '../core/errors.js'
import {clientFor} from './context.js'
import {governedFlags} from './governance.js'
import {sendFlags, type SendOptions} from './send.js'

export interface AccountStatusJson {
  readonly address: string
  readonly name: string
  readonly role: string
  readonly disabled: boolean
  readonly disabledAt?: {readonly reason: string; readonly height: number; readonly txHash: string; readonly by: string}
}

export const addressFlag = Flags.custom<string>({description: 'account address (40 hex characters; `key export --key FILE --json` prints it)'})

/** Flags of `node disable|enable`: the node by --public-key or by --name, as `node list` shows it. */
export function nodeTargetFlags() {
  return {
    ...sendFlags(),
    ...governedFlags(),
    'public-key': Flags.string({description: 'hex of the node\'s 65-byte SM2 public key', exactlyOne: ['public-key', 'name']}),
    name: Flags.string({description: 'the node\'s name in `node list`', exactlyOne: ['public-key', 'name']}),
  }
}

/** The node's public key: --public-key, or by --name from `nodes.list`. */
export async function nodeKeyOf(flags: SendOptions & {'public-key'?: string; name?: string}): Promise<string> {
  return flags['public-key'] ?? (await nodeKeyByName(flags, flags.name!))
}

async function nodeKeyByName(flags: SendOptions, name: string): Promise<string> {
  const {result} = await clientFor(flags).query('nodes', 'list', {})
  const matches = (result as {members: Array<{publicKey: string; name: string}>}).members.filter((member) => member.name === name)
  if (matches.length === 0) throw new WichainError('NOT_FOUND', `no node named "${name}" in the chain's node set (see \`wichain node list\`)`)
  if (matches.length > 1) throw new WichainError('INVALID_ARGUMENT', `${matches.length} nodes are named "${name}"; give --public-key`)
  return matches[0]!.publicKey
}
