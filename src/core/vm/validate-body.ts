/**
 * The function-level half of validation: signatures and locals are integers, and every
 * expression is of a kind the engine meters (an allow-list), integer-typed, not atomic and not a
 * tail call. Any float value has a float-typed expression producing it, so checking the type of
 * every expression and every local finds every float instruction.
 */
import {accessors, binaryen, childSlots, expressionName, isAllowedExpressionType, isIntegerValueType, isSupportedExpression, typeName, valueTypes, type ExpressionRef, type BinaryenModule, type FunctionInfo} from './ir.js'
import type {ModuleLimits} from './limits.js'

function checkSignature(info: FunctionInfo): string | undefined {
  const params = valueTypes(info.params)
  const results = valueTypes(info.results)
  if (results.length > 1) return `function ${info.name} returns several values (multi-value is not allowed)`
  const bad = [...params, ...results, ...info.vars].find((type) => !isIntegerValueType(type))
  if (bad !== undefined) return `function ${info.name} uses type ${typeName(bad)}: only i32 and i64 are allowed (no floats)`
  return undefined
}

function checkExpression(functionName: string, expression: ExpressionRef): string | undefined {
  const id = binaryen.getExpressionId(expression)
  const where = `function ${functionName}`
  if (!isSupportedExpression(id)) return `${where} uses ${expressionName(id)}, which contracts may not use`
  const type = binaryen.getExpressionType(expression)
  if (!isAllowedExpressionType(type)) {
    return `${where} has a ${expressionName(id)} of type ${typeName(type)}: float, SIMD and reference values are not allowed`
  }
  if (id === binaryen.LoadId && accessors.Load.isAtomic(expression)) return `${where} uses atomic loads`
  if (id === binaryen.StoreId && accessors.Store.isAtomic(expression)) return `${where} uses atomic stores`
  if (id === binaryen.CallId && accessors.Call.isReturn(expression)) return `${where} uses a tail call`
  if (id === binaryen.CallIndirectId) {
    if (accessors.CallIndirect.isReturn(expression)) return `${where} uses a tail call`
    const types = [...valueTypes(accessors.CallIndirect.getParams(expression)), ...valueTypes(accessors.CallIndirect.getResults(expression))]
    if (types.some((t) => !isIntegerValueType(t))) return `${where} calls indirectly through a non-integer signature`
  }
  return undefined
}

/** Walk without recursion: deeply nested code must not overflow the validator's own stack. */
function checkBody(functionName: string, body: ExpressionRef): string | undefined {
  const pending: ExpressionRef[] = [body]
  while (pending.length > 0) {
    const expression = pending.pop()!
    const failure = checkExpression(functionName, expression)
    if (failure !== undefined) return failure
    for (const child of childSlots(expression)) pending.push(child.get())
  }
  return undefined
}

/** Returns the first failure message, or undefined when every function body is acceptable. */
export function checkFunctionBodies(module: BinaryenModule, limits: ModuleLimits): string | undefined {
  for (let index = 0; index < module.getNumFunctions(); index++) {
    const info = binaryen.getFunctionInfo(module.getFunctionByIndex(index))
    const failure = checkSignature(info)
    if (failure !== undefined) return failure
    if (info.module) continue
    const locals = valueTypes(info.params).length + info.vars.length
    if (locals > limits.localsPerFunctionMax) {
      return `function ${info.name} has ${locals} locals; the limit is ${limits.localsPerFunctionMax}`
    }
    const bodyFailure = checkBody(info.name, info.body)
    if (bodyFailure !== undefined) return bodyFailure
  }
  return undefined
}
