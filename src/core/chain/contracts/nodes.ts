/**
 * `nodes`: the consensus node set of a chain, changed only through committed txs signed by an
 * org admin. Members are validators (vote) or observers (may connect and sync, never vote). The
 * set starts as the genesis validators and is stored only once it first changes, so chains that
 * never change it keep their state untouched; a change also appends its block height to a change
 * index (`changes`), which tx certificates use to carry the set's history. The chain driver reads
 * the set after every block with an ok change and reconfigures its engine for the next height.
 *
 * Incident response (spec §8.1.5): `disable` keeps a member's record (name, role, address) but
 * takes it out of the validators and off every node's allow-list, so its connections are dropped
 * and its messages no longer arrive; `enable` restores it. The last enabled validator can be
 * neither removed nor disabled (a chain without validators could never commit the fix). Beyond
 * that the rule is the operator's: with PBFT, n validators tolerate floor((n-1)/3) faults, so
 * disabling one of four leaves three that tolerate none.
 */
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readArray, readEnum, readRecord, readString} from '../../codec/fields.js'
import {fromHex} from '../../bytes.js'
import {validatePublicKey} from '../../crypto/sm2.js'
import {WichainError} from '../../errors.js'
import type {GenesisValidator} from '../genesis.js'
import {argsObject, type Args} from './args.js'
import type {CallContext, ContractMethod, ContractState, SystemContract} from './contract.js'

export const NODES_CONTRACT_NAME = 'nodes'
export const NODE_ROLES = ['validator', 'observer'] as const
export type NodeRole = (typeof NODE_ROLES)[number]
export const NODES_LIMITS = Object.freeze({membersMax: 256, nameLengthMax: 64, addressLengthMax: 255})
/** Methods whose ok receipt may change the validator set. */
export const NODES_CHANGE_METHODS: ReadonlySet<string> = new Set(['add', 'remove', 'disable', 'enable'])

const MEMBERS_KEY = 'members'
const PUBLIC_KEY_RE = /^04[0-9a-f]{128}$/
const ADDRESS_RE = /^[A-Za-z0-9.\-:[\]]+:(\d{1,5})$/

export interface NodeMember {
  readonly publicKey: string
  readonly name: string
  readonly role: NodeRole
  /** host:port of its P2P listener; '' when unknown (peers then wait for it to dial in). */
  readonly address: string
  /** Present (only ever true) while an org admin has disabled it: not a validator, may not connect. */
  readonly disabled?: true
  /** The organisation running it (version 2 chains; absent on version 1 chains). */
  readonly org?: string
}

function readPublicKey(args: Args): string {
  const value = typeof args.publicKey === 'string' ? args.publicKey.toLowerCase() : ''
  if (!PUBLIC_KEY_RE.test(value)) throw new WichainError('INVALID_ARGUMENT', 'nodes: publicKey must be the hex of a 65-byte uncompressed SM2 public key (04…)')
  try {
    validatePublicKey(fromHex(value, 'publicKey'))
  } catch {
    throw new WichainError('INVALID_ARGUMENT', 'nodes: publicKey is not a point on the SM2 curve')
  }
  return value
}

function readAddress(value: unknown): string {
  if (value === undefined) return ''
  if (typeof value !== 'string' || value.length > NODES_LIMITS.addressLengthMax || !ADDRESS_RE.test(value)) {
    throw new WichainError('INVALID_ARGUMENT', 'nodes: address must be host:port (e.g. 10.0.0.5:26656)')
  }
  const port = Number(ADDRESS_RE.exec(value)![1])
  if (port < 1 || port > 65_535) throw new WichainError('INVALID_ARGUMENT', 'nodes: address port must be 1..65535')
  return value
}

function readName(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > NODES_LIMITS.nameLengthMax || !/^[\x20-\x7e]+$/.test(value)) {
    throw new WichainError('INVALID_ARGUMENT', `nodes: name must be 1..${NODES_LIMITS.nameLengthMax} printable ASCII characters`)
  }
  return value
}

function readNodeOrg(value: unknown, isActive: (id: string) => boolean): string {
  if (typeof value !== 'string' || !isActive(value)) throw new WichainError('INVALID_ARGUMENT', 'nodes: org must name an active organisation (the one running the node)')
  return value
}

function readRole(value: unknown): NodeRole {
  const role = value ?? 'validator'
  if (!NODE_ROLES.includes(role as NodeRole)) throw new WichainError('INVALID_ARGUMENT', `nodes: role must be ${NODE_ROLES.join(' or ')}`)
  return role as NodeRole
}

const MEMBER_KEYS = ['publicKey', 'name', 'role', 'address'] as const

/** `disabled` (only when true) and `org` (version 2) are stored only when present, so older members decode unchanged. */
function decodeMember(value: unknown): NodeMember {
  const has = (key: string): boolean => typeof value === 'object' && value !== null && Object.hasOwn(value, key)
  const flagged = has('disabled')
  const fields = readRecord(value, 'node member', [...MEMBER_KEYS, ...(flagged ? ['disabled'] : []), ...(has('org') ? ['org'] : [])])
  if (flagged && fields.disabled !== true) throw new WichainError('DECODE_ERROR', 'node member: disabled must be true when present')
  const member = {
    publicKey: readString(fields.publicKey, 'publicKey', 130),
    name: readString(fields.name, 'name', NODES_LIMITS.nameLengthMax),
    role: readEnum(fields.role, 'role', NODE_ROLES),
    address: readString(fields.address, 'address', NODES_LIMITS.addressLengthMax),
    ...(fields.org === undefined ? {} : {org: readString(fields.org, 'org', 64)}),
  }
  return flagged ? {...member, disabled: true} : member
}

/** The stored member list, or the genesis validators when the set never changed. */
export function readMembers(state: Pick<ContractState, 'get'>, genesisValidators: readonly GenesisValidator[]): readonly NodeMember[] {
  const bytes = state.get(MEMBERS_KEY)
  if (bytes === undefined) {
    return genesisValidators.map((validator) => ({
      publicKey: validator.publicKey.toLowerCase(), name: validator.name, role: 'validator' as const, address: '',
      ...(validator.org === undefined ? {} : {org: validator.org}),
    }))
  }
  return readArray(decodeCanonical(bytes, 'node members'), 'node members', NODES_LIMITS.membersMax).map(decodeMember)
}

/** Public keys of the members that vote: validators not disabled. */
export function validatorsOf(members: readonly NodeMember[]): string[] {
  return members.filter((member) => member.role === 'validator' && member.disabled !== true).map((member) => member.publicKey)
}

/** The stored form of a member list (what readMembers decodes). */
export function encodeMembers(members: readonly NodeMember[]): Uint8Array {
  return encodeCanonical(members.map((member) => ({...member})))
}

function store(state: ContractState, members: readonly NodeMember[]): void {
  state.set(MEMBERS_KEY, encodeMembers(members))
}

/** The `nodes` contract of a chain whose genesis lists `genesisValidators`. */
export function createNodesContract(genesisValidators: readonly GenesisValidator[]): SystemContract {
  const contract = memberMethods(genesisValidators)
  return {...contract, methods: {...indexChanges(contract.methods), changes: changesMethod}}
}

/** `disable`/`enable`: flag a member, keeping its record; never leaves the chain without a validator. */
function setDisabled(state: ContractState, genesisValidators: readonly GenesisValidator[], rawArgs: unknown, disabled: boolean) {
  const publicKey = readPublicKey(argsObject(NODES_CONTRACT_NAME, rawArgs, ['publicKey']))
  const members = readMembers(state, genesisValidators)
  const target = members.find((member) => member.publicKey === publicKey)
  if (target === undefined) throw new WichainError('NOT_FOUND', `nodes: ${publicKey.slice(0, 16)}… is not a member`)
  if ((target.disabled === true) === disabled) {
    throw new WichainError('ALREADY_EXISTS', `nodes: ${target.name} (${publicKey.slice(0, 16)}…) is already ${disabled ? 'disabled' : 'enabled'}`)
  }
  const {disabled: _flag, ...record} = target
  const changed: NodeMember = disabled ? {...record, disabled: true} : record
  const next = members.map((member) => (member === target ? changed : member))
  if (validatorsOf(next).length === 0) throw new WichainError('INVALID_ARGUMENT', 'nodes: cannot disable the last enabled validator')
  store(state, next)
  return {member: changed, validators: validatorsOf(next).length}
}

/** The member-list methods; `createNodesContract` adds the change index around them. */
function memberMethods(genesisValidators: readonly GenesisValidator[]): SystemContract {
  return {
    name: NODES_CONTRACT_NAME,
    description: 'consensus node set: add, remove, disable, enable (org admin), list',
    methods: {
      add: {
        readOnly: false,
        roles: ['orgadmin'],
        run(state, rawArgs, context) {
          // Version 2 chains: every node belongs to an active organisation.
          const consortium = context.consortium
          const certified = (context as {certifiedReplay?: boolean}).certifiedReplay === true
          const withOrg = consortium !== undefined || certified
          const args = argsObject(NODES_CONTRACT_NAME, rawArgs, ['publicKey', 'name', 'role', 'address', ...(withOrg ? ['org'] : [])])
          const member: NodeMember = {
            publicKey: readPublicKey(args),
            name: readName(args.name),
            role: readRole(args.role),
            address: readAddress(args.address),
            ...(withOrg ? {org: readNodeOrg(args.org, (id) => certified || consortium?.org(id)?.status === 'active')} : {}),
          }
          const members = readMembers(state, genesisValidators)
          if (members.some((existing) => existing.publicKey === member.publicKey)) {
            throw new WichainError('ALREADY_EXISTS', `nodes: ${member.publicKey.slice(0, 16)}… is already a member`)
          }
          if (members.length >= NODES_LIMITS.membersMax) throw new WichainError('INVALID_ARGUMENT', `nodes: at most ${NODES_LIMITS.membersMax} members`)
          const next = [...members, member]
          store(state, next)
          return {added: member, validators: validatorsOf(next).length}
        },
      },
      remove: {
        readOnly: false,
        roles: ['orgadmin'],
        run(state, rawArgs) {
          const publicKey = readPublicKey(argsObject(NODES_CONTRACT_NAME, rawArgs, ['publicKey']))
          const members = readMembers(state, genesisValidators)
          const removed = members.find((member) => member.publicKey === publicKey)
          if (removed === undefined) throw new WichainError('NOT_FOUND', `nodes: ${publicKey.slice(0, 16)}… is not a member`)
          const next = members.filter((member) => member !== removed)
          // A chain without validators can never commit again, not even the tx that would fix it.
          if (validatorsOf(next).length === 0) throw new WichainError('INVALID_ARGUMENT', 'nodes: cannot remove the last validator')
          store(state, next)
          return {removed, validators: validatorsOf(next).length}
        },
      },
      disable: {readOnly: false, roles: ['orgadmin'], run: (state, rawArgs) => setDisabled(state, genesisValidators, rawArgs, true)},
      enable: {readOnly: false, roles: ['orgadmin'], run: (state, rawArgs) => setDisabled(state, genesisValidators, rawArgs, false)},
      list: {
        readOnly: true,
        run(state, rawArgs) {
          argsObject(NODES_CONTRACT_NAME, rawArgs ?? {}, [])
          return {members: readMembers(state, genesisValidators)}
        },
      },
    },
  }
}

/*
 * The change index: heights of the blocks whose txs changed the node set (an ok change method),
 * oldest first, one key each. Offline verifiers need these blocks' certificates to follow the
 * set from genesis (membership.ts). Written only by a change, so chains that never change their
 * set keep their state untouched.
 */
const CHANGE_COUNT_KEY = 'changes'
const changeKey = (index: number): string => `change/${index}`

function readUintKey(state: Pick<ContractState, 'get'>, key: string): number {
  const bytes = state.get(key)
  if (bytes === undefined) return 0
  const value = decodeCanonical(bytes, `nodes ${key}`)
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new WichainError('CORRUPT_DATA', `nodes: ${key} is not a count`)
  return value
}

function recordChange(state: ContractState, height: number): void {
  const count = readUintKey(state, CHANGE_COUNT_KEY)
  if (count > 0 && readUintKey(state, changeKey(count - 1)) === height) return
  state.set(changeKey(count), encodeCanonical(height))
  state.set(CHANGE_COUNT_KEY, encodeCanonical(count + 1))
}

/** Every change method records its block's height once it succeeded. */
function indexChanges(methods: Readonly<Record<string, ContractMethod>>): Record<string, ContractMethod> {
  return Object.fromEntries(
    Object.entries(methods).map(([name, method]) => {
      if (!NODES_CHANGE_METHODS.has(name)) return [name, method]
      const run = (state: ContractState, args: unknown, context: CallContext): unknown => {
        const result = method.run(state, args, context)
        recordChange(state, context.height)
        return result
      }
      return [name, {...method, run}]
    }),
  )
}

export const NODES_CHANGES_PAGE_MAX = 1000

/** `changes {start?, count?}`: a page of the change index, `{total, heights}`. */
const changesMethod: ContractMethod = {
  readOnly: true,
  run(state, rawArgs) {
    const args = argsObject(NODES_CONTRACT_NAME, rawArgs ?? {}, ['start', 'count'])
    const start = args.start ?? 0
    const count = args.count ?? NODES_CHANGES_PAGE_MAX
    if (!Number.isSafeInteger(start) || (start as number) < 0) throw new WichainError('INVALID_ARGUMENT', 'nodes: start must be an unsigned integer')
    if (!Number.isSafeInteger(count) || (count as number) < 1 || (count as number) > NODES_CHANGES_PAGE_MAX) {
      throw new WichainError('INVALID_ARGUMENT', `nodes: count must be 1..${NODES_CHANGES_PAGE_MAX}`)
    }
    const total = readUintKey(state, CHANGE_COUNT_KEY)
    const heights: number[] = []
    for (let index = start as number; index < Math.min(total, (start as number) + (count as number)); index++) heights.push(readUintKey(state, changeKey(index)))
    return {total, heights}
  },
}

/**
 * The node set after one successful change method (`method` in NODES_CHANGE_METHODS): the
 * contract's own method run over a scratch state holding `members`, so an offline verifier
 * replays exactly what the chain executed. Throws what the method throws.
 */
/**
 * `certified`: a version 2 change replayed offline from a certified block, where no consortium
 * view exists: the node's organisation is taken as the validators accepted it.
 */
export function applyMembershipChange(members: readonly NodeMember[], method: string, args: unknown, context: CallContext, options: {certified?: boolean} = {}): readonly NodeMember[] {
  if (!NODES_CHANGE_METHODS.has(method)) throw new WichainError('INVALID_ARGUMENT', `nodes.${method} does not change the node set`)
  const scratch = new Map<string, Uint8Array>()
  const state: ContractState = {get: (key) => scratch.get(key), set: (key, value) => void scratch.set(key, value), delete: (key) => void scratch.delete(key)}
  store(state, members)
  const change = memberMethods([]).methods[method]
  if (change === undefined) throw new WichainError('INVALID_ARGUMENT', `nodes has no method ${method}`)
  change.run(state, args, options.certified === true ? {...context, certifiedReplay: true} as CallContext : context)
  return readMembers(state, [])
}
