/** JSON-RPC methods for admin (merged into rpcMethods in methods.ts). */
import type {RpcMethod} from './methods.js'

export const adminMethods: Record<string, RpcMethod> = {}
