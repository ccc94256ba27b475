/** JSON-RPC methods for backup (merged into rpcMethods in methods.ts). */
import type {RpcMethod} from './methods.js'

export const backupMethods: Record<string, RpcMethod> = {}
