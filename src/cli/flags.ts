/** Flags shared by many commands, defined once. Call with `{required: true}` where needed. */
import {Flags} from '@oclif/core'

export const homeFlag = Flags.custom<string>({description: 'node home directory', env: 'WICHAIN_HOME'})
export const rpcFlag = Flags.custom<string>({description: 'JSON-RPC URL of a running node (e.g. http://127.0.0.1:26600)', env: 'WICHAIN_RPC'})
export const keyFlag = Flags.custom<string>({description: 'keystore file', env: 'WICHAIN_KEY'})
export const passwordFileFlag = Flags.custom<string>({description: 'file holding the keystore password', env: 'WICHAIN_PASSWORD_FILE'})
export const chainFlag = Flags.custom<string>({description: 'chain id (default: the node\'s chain)'})
/** Commands that write keystores encrypt them unless told otherwise with this (see cli/new-keys.ts). */
export const plaintextFlag = () =>
  Flags.boolean({description: 'write unencrypted keystores; for tests and dev networks only', default: false, exclusive: ['password-file']})
