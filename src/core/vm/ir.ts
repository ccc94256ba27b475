/**
 * Thin helpers over binaryen's IR: the child slots of each expression kind the engine accepts
 * (so walkers can read and replace children), and value-type checks. Kinds missing from
 * `childSlots` are not supported: the validator refuses modules that contain them.
 */
import type Binaryen from 'binaryen'
import {importUntransformed} from './load.js'

export const binaryen = (await importUntransformed<{default: typeof Binaryen}>('binaryen')).default
export type ExpressionRef = Binaryen.ExpressionRef
export type BinaryenModule = Binaryen.Module
export type WasmType = Binaryen.Type
export type FunctionRef = Binaryen.FunctionRef
export type FunctionInfo = Binaryen.FunctionInfo

/** A place holding an expression: a child of a node, a function body, a loop body. */
export interface Slot {
  get(): ExpressionRef
  set(expression: ExpressionRef): void
}

function slot(get: () => ExpressionRef, set: (expression: ExpressionRef) => void): Slot {
  return {get, set}
}

type SlotFactory = (expression: ExpressionRef) => Slot[]

type Ref = ExpressionRef
type Getter = (e: Ref) => Ref
type Setter = (e: Ref, x: Ref) => void
interface Operands {
  getNumOperands(e: Ref): number
  getOperandAt(e: Ref, index: number): Ref
  setOperandAt(e: Ref, index: number, x: Ref): void
  isReturn(e: Ref): boolean
}

/** binaryen.js has per-kind accessor objects that its type declarations leave out. */
interface Accessors {
  Block: {getNumChildren(e: Ref): number; getChildAt(e: Ref, index: number): Ref; setChildAt(e: Ref, index: number, x: Ref): void}
  If: {getCondition: Getter; setCondition: Setter; getIfTrue: Getter; setIfTrue: Setter; getIfFalse: Getter; setIfFalse: Setter}
  Loop: {getBody: Getter; setBody: Setter}
  Break: {getValue: Getter; setValue: Setter; getCondition: Getter; setCondition: Setter}
  Switch: {getValue: Getter; setValue: Setter; getCondition: Getter; setCondition: Setter}
  Call: Operands & {getTarget(e: Ref): string}
  CallIndirect: Operands & {getTarget: Getter; setTarget: Setter; getParams(e: Ref): WasmType; getResults(e: Ref): WasmType}
  LocalSet: {getValue: Getter; setValue: Setter}
  GlobalSet: {getValue: Getter; setValue: Setter}
  Load: {getPtr: Getter; setPtr: Setter; isAtomic(e: Ref): boolean}
  Store: {getPtr: Getter; setPtr: Setter; getValue: Getter; setValue: Setter; isAtomic(e: Ref): boolean}
  Unary: {getValue: Getter; setValue: Setter}
  Binary: {getLeft: Getter; setLeft: Setter; getRight: Getter; setRight: Setter}
  Select: {getIfTrue: Getter; setIfTrue: Setter; getIfFalse: Getter; setIfFalse: Setter; getCondition: Getter; setCondition: Setter}
  Drop: {getValue: Getter; setValue: Setter}
  Return: {getValue: Getter; setValue: Setter}
  MemoryGrow: {getDelta: Getter; setDelta: Setter}
  MemoryCopy: {getDest: Getter; setDest: Setter; getSource: Getter; setSource: Setter; getSize: Getter; setSize: Setter}
  MemoryFill: {getDest: Getter; setDest: Setter; getValue: Getter; setValue: Setter; getSize: Getter; setSize: Setter}
  Function: {getBody(func: FunctionRef): Ref; setBody(func: FunctionRef, body: Ref): void}
  _BinaryenFunctionAddVar(func: FunctionRef, type: WasmType): number
}

export const accessors = binaryen as unknown as Accessors
const {Block, If, Loop, Break, Switch, Call, CallIndirect, LocalSet, GlobalSet, Load, Store} = accessors
const {Unary, Binary, Select, Drop, Return, MemoryGrow, MemoryCopy, MemoryFill} = accessors

function optional(get: () => ExpressionRef, set: (expression: ExpressionRef) => void): Slot[] {
  return get() === 0 ? [] : [slot(get, set)]
}

function operandSlots(ns: Operands, e: ExpressionRef): Slot[] {
  const slots: Slot[] = []
  const count = ns.getNumOperands(e)
  for (let i = 0; i < count; i++) slots.push(slot(() => ns.getOperandAt(e, i), (x) => ns.setOperandAt(e, i, x)))
  return slots
}

const leaf: SlotFactory = () => []

/** Expression id → its child slots, in evaluation order. */
const SLOT_FACTORIES = new Map<number, SlotFactory>([
  [binaryen.NopId, leaf],
  [binaryen.LocalGetId, leaf],
  [binaryen.GlobalGetId, leaf],
  [binaryen.ConstId, leaf],
  [binaryen.MemorySizeId, leaf],
  [binaryen.UnreachableId, leaf],
  [binaryen.BlockId, (e) => {
    const slots: Slot[] = []
    const count = Block.getNumChildren(e)
    for (let i = 0; i < count; i++) slots.push(slot(() => Block.getChildAt(e, i), (x) => Block.setChildAt(e, i, x)))
    return slots
  }],
  [binaryen.IfId, (e) => [
    slot(() => If.getCondition(e), (x) => If.setCondition(e, x)),
    slot(() => If.getIfTrue(e), (x) => If.setIfTrue(e, x)),
    ...optional(() => If.getIfFalse(e), (x) => If.setIfFalse(e, x)),
  ]],
  [binaryen.LoopId, (e) => [slot(() => Loop.getBody(e), (x) => Loop.setBody(e, x))]],
  [binaryen.BreakId, (e) => [
    ...optional(() => Break.getValue(e), (x) => Break.setValue(e, x)),
    ...optional(() => Break.getCondition(e), (x) => Break.setCondition(e, x)),
  ]],
  [binaryen.SwitchId, (e) => [
    ...optional(() => Switch.getValue(e), (x) => Switch.setValue(e, x)),
    slot(() => Switch.getCondition(e), (x) => Switch.setCondition(e, x)),
  ]],
  [binaryen.CallId, (e) => operandSlots(Call, e)],
  [binaryen.CallIndirectId, (e) => [
    ...operandSlots(CallIndirect, e),
    slot(() => CallIndirect.getTarget(e), (x) => CallIndirect.setTarget(e, x)),
  ]],
  [binaryen.LocalSetId, (e) => [slot(() => LocalSet.getValue(e), (x) => LocalSet.setValue(e, x))]],
  [binaryen.GlobalSetId, (e) => [slot(() => GlobalSet.getValue(e), (x) => GlobalSet.setValue(e, x))]],
  [binaryen.LoadId, (e) => [slot(() => Load.getPtr(e), (x) => Load.setPtr(e, x))]],
  [binaryen.StoreId, (e) => [
    slot(() => Store.getPtr(e), (x) => Store.setPtr(e, x)),
    slot(() => Store.getValue(e), (x) => Store.setValue(e, x)),
  ]],
  [binaryen.UnaryId, (e) => [slot(() => Unary.getValue(e), (x) => Unary.setValue(e, x))]],
  [binaryen.BinaryId, (e) => [
    slot(() => Binary.getLeft(e), (x) => Binary.setLeft(e, x)),
    slot(() => Binary.getRight(e), (x) => Binary.setRight(e, x)),
  ]],
  [binaryen.SelectId, (e) => [
    slot(() => Select.getIfTrue(e), (x) => Select.setIfTrue(e, x)),
    slot(() => Select.getIfFalse(e), (x) => Select.setIfFalse(e, x)),
    slot(() => Select.getCondition(e), (x) => Select.setCondition(e, x)),
  ]],
  [binaryen.DropId, (e) => [slot(() => Drop.getValue(e), (x) => Drop.setValue(e, x))]],
  [binaryen.ReturnId, (e) => optional(() => Return.getValue(e), (x) => Return.setValue(e, x))],
  [binaryen.MemoryGrowId, (e) => [slot(() => MemoryGrow.getDelta(e), (x) => MemoryGrow.setDelta(e, x))]],
  [binaryen.MemoryCopyId, (e) => [
    slot(() => MemoryCopy.getDest(e), (x) => MemoryCopy.setDest(e, x)),
    slot(() => MemoryCopy.getSource(e), (x) => MemoryCopy.setSource(e, x)),
    slot(() => MemoryCopy.getSize(e), (x) => MemoryCopy.setSize(e, x)),
  ]],
  [binaryen.MemoryFillId, (e) => [
    slot(() => MemoryFill.getDest(e), (x) => MemoryFill.setDest(e, x)),
    slot(() => MemoryFill.getValue(e), (x) => MemoryFill.setValue(e, x)),
    slot(() => MemoryFill.getSize(e), (x) => MemoryFill.setSize(e, x)),
  ]],
])

export function isSupportedExpression(id: number): boolean {
  return SLOT_FACTORIES.has(id)
}

/** Child slots of a supported expression; throws for kinds the engine does not accept. */
export function childSlots(expression: ExpressionRef): Slot[] {
  const factory = SLOT_FACTORIES.get(binaryen.getExpressionId(expression))
  if (factory === undefined) throw new Error(`unsupported expression id ${binaryen.getExpressionId(expression)}`)
  return factory(expression)
}

const EXPRESSION_NAMES = new Map<number, string>(
  Object.entries(binaryen)
    .filter(([key, value]) => key.endsWith('Id') && !key.startsWith('_') && typeof value === 'number')
    .map(([key, value]) => [value as number, key.slice(0, -2)]),
)

export function expressionName(id: number): string {
  return EXPRESSION_NAMES.get(id) ?? `expression ${id}`
}

/** The value types a contract may use anywhere: integers only (floats are not deterministic enough to trust). */
export function isIntegerValueType(type: WasmType): boolean {
  return type === binaryen.i32 || type === binaryen.i64
}

/** none, unreachable, i32, i64: the result types an expression may have. */
export function isAllowedExpressionType(type: WasmType): boolean {
  return type === binaryen.none || type === binaryen.unreachable || isIntegerValueType(type)
}

/** Expand a (possibly tuple) type into its value types. */
export function valueTypes(type: WasmType): WasmType[] {
  return type === binaryen.none ? [] : binaryen.expandType(type)
}

export function typeName(type: WasmType): string {
  const names: Array<[WasmType, string]> = [
    [binaryen.none, 'none'], [binaryen.i32, 'i32'], [binaryen.i64, 'i64'], [binaryen.f32, 'f32'],
    [binaryen.f64, 'f64'], [binaryen.v128, 'v128'], [binaryen.unreachable, 'unreachable'],
  ]
  const found = names.find(([value]) => value === type)
  if (found !== undefined) return found[1]
  const parts = binaryen.expandType(type)
  return parts.length > 1 ? `(${parts.map(typeName).join(', ')})` : 'reference or other type'
}
