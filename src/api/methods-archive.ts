/** JSON-RPC methods for archive (merged into rpcMethods in methods.ts). */
import type {RpcMethod} from './methods.js'

export const archiveMethods: Record<string, RpcMethod> = {}
