// Host functions of the wichain contract engine (module "env"). Contracts normally use the
// wrappers in index.ts; these declarations must match src/core/vm/host-api.ts exactly.

@external("env", "register_read") export declare function register_read(ptr: usize): void;
@external("env", "args") export declare function args(): i32;
@external("env", "caller") export declare function caller(): i32;
@external("env", "tx_hash") export declare function tx_hash(): i32;
@external("env", "contract_name") export declare function contract_name(): i32;
@external("env", "block_height") export declare function block_height(): i64;
@external("env", "block_time") export declare function block_time(): i64;
@external("env", "gas_left") export declare function gas_left(): i64;
@external("env", "storage_get") export declare function storage_get(keyPtr: usize, keyLen: i32): i32;
@external("env", "storage_set") export declare function storage_set(keyPtr: usize, keyLen: i32, valuePtr: usize, valueLen: i32): void;
@external("env", "storage_delete") export declare function storage_delete(keyPtr: usize, keyLen: i32): void;
@external("env", "emit") export declare function emit(namePtr: usize, nameLen: i32, dataPtr: usize, dataLen: i32): void;
@external("env", "log") export declare function log(ptr: usize, len: i32): void;
@external("env", "sm3") export declare function sm3(dataPtr: usize, dataLen: i32, outPtr: usize): void;
@external("env", "return_value") export declare function return_value(ptr: usize, len: i32): void;
