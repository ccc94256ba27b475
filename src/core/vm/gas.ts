/**
 * Gas instrumentation, run once at deploy (spec §8.4.3). Each metered scope — a function body,
 * a loop body (charged on every iteration), an `if` arm — starts by subtracting its static cost
 * from an imported i64 gas counter and traps when the counter goes below zero. A scope's cost is
 * the number of IR nodes it executes at most (nested blocks fold into it; loops and arms are
 * scopes of their own), plus extras for calls. memory.grow/copy/fill are charged by size at run
 * time. A call-depth counter weighted by frame size bounds recursion below the native stack, so
 * "too deep" is decided by the same rule on every node, not by V8's stack size.
 *
 * The output depends only on the input bytes, this schedule and the binaryen version: every node
 * derives the same instrumented code and so the same gas.
 */
import {WichainError} from '../errors.js'
import {finalizeModule} from './binary.js'
import {GAS_IMPORT} from './host-api.js'
import {accessors, binaryen, childSlots, type ExpressionRef, type Slot, type BinaryenModule, type FunctionRef, type WasmType} from './ir.js'
import {moduleLimitsWith, RESERVED_PREFIX, type ModuleLimits} from './limits.js'
import {DEPTH_EXPORT, GAS_SCHEDULE, START_EXPORT} from './schedule.js'
import {validateModule} from './validate.js'

export {DEPTH_EXPORT, GAS_SCHEDULE, START_EXPORT}

const FEATURES = binaryen.Features.MutableGlobals | binaryen.Features.SignExt | binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt

interface Names {
  readonly gas: string
  readonly depth: string
  readonly chargeBytes: string
  readonly chargePages: string
}

interface FunctionContext {
  readonly module: BinaryenModule
  readonly names: Names
  readonly frameSlots: number
  /** Local holding the return value while the depth counter is lowered; -1 for void. */
  readonly resultLocal: number
  readonly resultType: WasmType
}

/** binaryen 132 takes one bigint for i64.const (its type declarations still say low, high). */
function i64Const(module: BinaryenModule, value: number): ExpressionRef {
  return (module.i64.const as unknown as (value: bigint) => ExpressionRef)(BigInt(value))
}

function chargeConstant(module: BinaryenModule, names: Names, cost: number): ExpressionRef[] {
  const gas = () => module.global.get(names.gas, binaryen.i64)
  return [
    module.global.set(names.gas, module.i64.sub(gas(), i64Const(module, cost))),
    module.if(module.i64.lt_s(gas(), i64Const(module, 0)), module.unreachable()),
  ]
}

function depthChange(context: FunctionContext, enter: boolean): ExpressionRef[] {
  const {module, names, frameSlots} = context
  const depth = () => module.global.get(names.depth, binaryen.i32)
  const next = enter ? module.i32.add(depth(), module.i32.const(frameSlots)) : module.i32.sub(depth(), module.i32.const(frameSlots))
  const set = module.global.set(names.depth, next)
  if (!enter) return [set]
  return [set, module.if(module.i32.gt_u(depth(), module.i32.const(GAS_SCHEDULE.stackSlotsMax)), module.unreachable())]
}

/** Replace `return v` with `tmp = v; depth -= frame; return tmp`, evaluating v at the current depth. */
function rewriteReturn(context: FunctionContext, expression: ExpressionRef, slot: Slot): Slot | undefined {
  const {module} = context
  const value = accessors.Return.getValue(expression)
  if (value === 0) {
    slot.set(module.block(null, [...depthChange(context, false), module.return()], binaryen.auto))
    return undefined
  }
  const store = module.local.set(context.resultLocal, value)
  const back = module.return(module.local.get(context.resultLocal, context.resultType))
  slot.set(module.block(null, [store, ...depthChange(context, false), back], binaryen.auto))
  return {get: () => accessors.LocalSet.getValue(store), set: (x) => accessors.LocalSet.setValue(store, x)}
}

/** Route a dynamic size operand through a charging helper that returns it unchanged. */
function chargeOperand(context: FunctionContext, helper: string, operand: Slot): Slot {
  const call = context.module.call(helper, [operand.get()], binaryen.i32)
  operand.set(call)
  return {get: () => accessors.Call.getOperandAt(call, 0), set: (x) => accessors.Call.setOperandAt(call, 0, x)}
}

/** Count the scope's nodes, queue nested scopes, rewrite returns and dynamic-cost operations. */
function meterScope(context: FunctionContext, scope: Slot, scopes: Slot[]): void {
  let cost = 0
  const pending: Slot[] = [scope]
  while (pending.length > 0) {
    const slot = pending.pop()!
    const expression = slot.get()
    const id = binaryen.getExpressionId(expression)
    const children = childSlots(expression)
    cost += GAS_SCHEDULE.node
    if (id === binaryen.LoopId) {
      scopes.push(children[0]!)
    } else if (id === binaryen.IfId) {
      pending.push(children[0]!)
      scopes.push(...children.slice(1))
    } else if (id === binaryen.ReturnId) {
      const valueSlot = rewriteReturn(context, expression, slot)
      if (valueSlot !== undefined) pending.push(valueSlot)
    } else if (id === binaryen.MemoryGrowId) {
      pending.push(chargeOperand(context, context.names.chargePages, children[0]!))
    } else if (id === binaryen.MemoryCopyId || id === binaryen.MemoryFillId) {
      pending.push(children[0]!, children[1]!, chargeOperand(context, context.names.chargeBytes, children[2]!))
    } else {
      if (id === binaryen.CallId) cost += GAS_SCHEDULE.call
      if (id === binaryen.CallIndirectId) cost += GAS_SCHEDULE.callIndirect
      pending.push(...children)
    }
  }
  const root = scope.get()
  scope.set(context.module.block(null, [...chargeConstant(context.module, context.names, cost), root], binaryen.auto))
}

function instrumentFunction(module: BinaryenModule, names: Names, func: FunctionRef): void {
  const info = binaryen.getFunctionInfo(func)
  const resultType = info.results
  const resultLocal = resultType === binaryen.none ? -1 : accessors._BinaryenFunctionAddVar(func, resultType)
  const locals = binaryen.expandType(info.params).length + info.vars.length + (resultLocal === -1 ? 0 : 1)
  const context: FunctionContext = {
    module, names, resultLocal, resultType, frameSlots: GAS_SCHEDULE.frameSlots + locals,
  }
  const body: Slot = {get: () => accessors.Function.getBody(func), set: (x) => accessors.Function.setBody(func, x)}
  const scopes: Slot[] = [body]
  while (scopes.length > 0) meterScope(context, scopes.pop()!, scopes)
  const metered = body.get()
  const wrapped = resultLocal === -1
    ? [...depthChange(context, true), metered, ...depthChange(context, false)]
    : [...depthChange(context, true), module.local.set(resultLocal, metered), ...depthChange(context, false),
        module.local.get(resultLocal, resultType)]
  body.set(module.block(null, wrapped, resultType))
}

/** Names for the engine's globals and helpers that cannot clash with the module's own names. */
function freshNames(module: BinaryenModule): Names {
  const taken = new Set<string>()
  for (let i = 0; i < module.getNumFunctions(); i++) taken.add(binaryen.getFunctionInfo(module.getFunctionByIndex(i)).name)
  for (let i = 0; i < module.getNumGlobals(); i++) taken.add(binaryen.getGlobalInfo(module.getGlobalByIndex(i)).name)
  const fresh = (base: string): string => {
    let name = `${RESERVED_PREFIX}_${base}`
    for (let suffix = 1; taken.has(name); suffix++) name = `${RESERVED_PREFIX}_${base}_${suffix}`
    taken.add(name)
    return name
  }
  return {gas: fresh('gas'), depth: fresh('depth'), chargeBytes: fresh('charge_bytes'), chargePages: fresh('charge_pages')}
}

/** helper(size: i32) -> i32: charge size × multiplier >> shift, return size unchanged. */
function addChargeHelper(module: BinaryenModule, names: Names, name: string, multiplier: number, shift: number): void {
  const size = () => module.i64.extend_u(module.local.get(0, binaryen.i32))
  const scaled = multiplier === 1 ? size() : module.i64.mul(size(), i64Const(module, multiplier))
  const cost = shift === 0 ? scaled : module.i64.shr_u(scaled, i64Const(module, shift))
  const gas = () => module.global.get(names.gas, binaryen.i64)
  module.addFunction(name, binaryen.i32, binaryen.i32, [], module.block(null, [
    module.global.set(names.gas, module.i64.sub(gas(), cost)),
    module.if(module.i64.lt_s(gas(), i64Const(module, 0)), module.unreachable()),
    module.local.get(0, binaryen.i32),
  ], binaryen.i32))
}

function exportStart(module: BinaryenModule): void {
  const start = module.getStart()
  if (start === 0) return
  module.addFunctionExport(binaryen.getFunctionInfo(start).name, START_EXPORT)
  module.setStart(0 as FunctionRef)
}

function definedFunctions(module: BinaryenModule): FunctionRef[] {
  const functions: FunctionRef[] = []
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const func = module.getFunctionByIndex(i)
    if (!binaryen.getFunctionInfo(func).module) functions.push(func)
  }
  return functions
}

/**
 * Validate and instrument contract code. The result imports the gas counter as
 * `__wichain.gas` (mutable i64), exports the depth counter, and caps memory at the page limit.
 */
export function instrumentGas(bytes: Uint8Array, limits?: Partial<ModuleLimits>): Uint8Array {
  const effective = moduleLimitsWith(limits)
  validateModule(bytes, effective)
  const module = binaryen.readBinary(bytes)
  try {
    module.setFeatures(FEATURES)
    const functions = definedFunctions(module)
    const names = freshNames(module)
    module.addGlobalImport(names.gas, GAS_IMPORT.module, GAS_IMPORT.name, binaryen.i64, true)
    module.addGlobal(names.depth, binaryen.i32, true, module.i32.const(0))
    module.addGlobalExport(names.depth, DEPTH_EXPORT)
    for (const func of functions) instrumentFunction(module, names, func)
    exportStart(module)
    addChargeHelper(module, names, names.chargeBytes, 1, Math.log2(GAS_SCHEDULE.bulkBytesPerGas))
    addChargeHelper(module, names, names.chargePages, GAS_SCHEDULE.memoryGrowPerPage, 0)
    if (!module.validate()) throw new WichainError('INTERNAL', 'gas instrumentation produced an invalid module')
    return finalizeModule(module.emitBinary(), effective.memoryPagesMax)
  } finally {
    module.dispose()
  }
}
