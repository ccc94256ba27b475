/**
 * `nodes`: the consensus node set of a chain, changed only through committed txs signed by an
 * org admin. Members are validators (vote) or observers (may connect and sync, never vote). The
 * set starts as the genesis validators and is stored only once it first changes, so chains that
 * never change it keep their state untouched. The chain driver reads the set after every block
 * with an ok `add`/`remove` and reconfigures its engine for the next height.
 */
import {decodeCanonical, encodeCanonical} from '../../codec/canonical.js'
import {readArray, readEnum, readRecord, readString} from '../../codec/fields.js'
import {fromHex} from '../../bytes.js'
import {validatePublicKey} from '../../crypto/sm2.js'
import {WichainError} from '../../errors.js'
import type {GenesisValidator} from '../genesis.js'
import type {ContractState, SystemContract} from './contract.js'

export const NODES_CONTRACT_NAME = 'nodes'
export const NODE_ROLES = ['validator', 'observer'] as const
export type NodeRole = (typeof NODE_ROLES)[number]
export const NODES_LIMITS = Object.freeze({membersMax: 256, nameLengthMax: 64, addressLengthMax: 255})
/** Methods whose ok receipt may change the validator set. */
export const NODES_CHANGE_METHODS: ReadonlySet<string> = new Set(['add', 'remove'])

const MEMBERS_KEY = 'members'
const PUBLIC_KEY_RE = /^04[0-9a-f]{128}$/
const ADDRESS_RE = /^[A-Za-z0-9.\-:[\]]+:(\d{1,5})$/

export interface NodeMember {
  readonly publicKey: string
  readonly name: string
  readonly role: NodeRole
  /** host:port of its P2P listener; '' when unknown (peers then wait for it to dial in). */
  readonly address: string
}

type Args = Record<string, unknown>

function argsObject(args: unknown, allowed: readonly string[]): Args {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new WichainError('INVALID_ARGUMENT', 'nodes: args must be an object')
  const unknown = Object.keys(args).filter((key) => !allowed.includes(key))
  if (unknown.length > 0) throw new WichainError('INVALID_ARGUMENT', `nodes: unknown argument ${unknown.join(', ')} (allowed: ${allowed.join(', ')})`)
  return args as Args
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

function readRole(value: unknown): NodeRole {
  const role = value ?? 'validator'
  if (!NODE_ROLES.includes(role as NodeRole)) throw new WichainError('INVALID_ARGUMENT', `nodes: role must be ${NODE_ROLES.join(' or ')}`)
  return role as NodeRole
}

function decodeMember(value: unknown): NodeMember {
  const fields = readRecord(value, 'node member', ['publicKey', 'name', 'role', 'address'])
  return {
    publicKey: readString(fields.publicKey, 'publicKey', 130),
    name: readString(fields.name, 'name', NODES_LIMITS.nameLengthMax),
    role: readEnum(fields.role, 'role', NODE_ROLES),
    address: readString(fields.address, 'address', NODES_LIMITS.addressLengthMax),
  }
}

/** The stored member list, or the genesis validators when the set never changed. */
export function readMembers(state: Pick<ContractState, 'get'>, genesisValidators: readonly GenesisValidator[]): readonly NodeMember[] {
  const bytes = state.get(MEMBERS_KEY)
  if (bytes === undefined) {
    return genesisValidators.map((validator) => ({publicKey: validator.publicKey.toLowerCase(), name: validator.name, role: 'validator' as const, address: ''}))
  }
  return readArray(decodeCanonical(bytes, 'node members'), 'node members', NODES_LIMITS.membersMax).map(decodeMember)
}

export function validatorsOf(members: readonly NodeMember[]): string[] {
  return members.filter((member) => member.role === 'validator').map((member) => member.publicKey)
}

function store(state: ContractState, members: readonly NodeMember[]): void {
  state.set(MEMBERS_KEY, encodeCanonical(members.map((member) => ({...member}))))
}

/** The `nodes` contract of a chain whose genesis lists `genesisValidators`. */
export function createNodesContract(genesisValidators: readonly GenesisValidator[]): SystemContract {
  return {
    name: NODES_CONTRACT_NAME,
    description: 'consensus node set: add, remove (org admin), list',
    methods: {
      add: {
        readOnly: false,
        roles: ['orgadmin'],
        run(state, rawArgs) {
          const args = argsObject(rawArgs, ['publicKey', 'name', 'role', 'address'])
          const member: NodeMember = {
            publicKey: readPublicKey(args),
            name: readName(args.name),
            role: readRole(args.role),
            address: readAddress(args.address),
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
          const publicKey = readPublicKey(argsObject(rawArgs, ['publicKey']))
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
      list: {
        readOnly: true,
        run(state, rawArgs) {
          argsObject(rawArgs ?? {}, [])
          return {members: readMembers(state, genesisValidators)}
        },
      },
    },
  }
}
