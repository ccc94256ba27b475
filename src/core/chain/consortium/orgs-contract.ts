/**
 * `orgs`: the consortium's members (联盟成员, spec §8.4.7.3). Admitting or removing an
 * organisation is consortium-wide (default policy: a MAJORITY of org admins, through a
 * proposal); an organisation changes its own name or encryption key (SELF). A new organisation
 * comes with its first org admin account, so someone can manage it from the start. A removed
 * organisation's accounts and nodes stop counting for any policy; its records stay readable.
 */
import {WichainError} from '../../errors.js'
import {argsObject} from '../contracts/args.js'
import {NODES_CONTRACT_NAME, readMembers} from '../contracts/nodes.js'
import type {CallContext, ContractState, SystemContract} from '../contracts/contract.js'
import {consortiumOf, readCount, readName, readOrgId, readPublicKey} from './args.js'
import {
  ACCOUNTS_CONTRACT_NAME, addToList, CONSORTIUM_LIMITS, ORG_INDEX_KEY, ORGS_CONTRACT_NAME, orgAccountsKey, readList, writeOrg, type OrgRecord,
} from './records.js'

const NAME = ORGS_CONTRACT_NAME

function requireOrg(context: CallContext, id: string): OrgRecord {
  const org = consortiumOf(context).org(id)
  if (org === undefined) throw new WichainError('NOT_FOUND', `${NAME}: no organisation "${id}"`)
  return org
}

function add(state: ContractState, rawArgs: unknown, context: CallContext) {
  const args = argsObject(NAME, rawArgs ?? {}, ['id', 'name', 'encryptionKey', 'admin'])
  const id = readOrgId(NAME, args.id, 'id')
  const consortium = consortiumOf(context)
  if (consortium.org(id) !== undefined) throw new WichainError('ALREADY_EXISTS', `${NAME}: organisation "${id}" exists (a removed one keeps its id)`)
  const admin = argsObject(`${NAME}: admin`, args.admin ?? {}, ['name', 'publicKey'])
  const key = readPublicKey(NAME, admin.publicKey, 'admin.publicKey')
  if (consortium.account(key.address) !== undefined) throw new WichainError('ALREADY_EXISTS', `${NAME}: account ${key.address} already exists`)
  const record: OrgRecord = {
    id,
    name: readName(NAME, args.name),
    encryptionKey: args.encryptionKey === undefined ? '' : readPublicKey(NAME, args.encryptionKey, 'encryptionKey').publicKey,
    status: 'active',
    height: context.height,
    txHash: context.txHash,
  }
  addToList(state, ORG_INDEX_KEY, id, CONSORTIUM_LIMITS.orgsMax, 64)
  writeOrg(state, record)
  // The first org admin: an account like any other, created in this tx.
  if (context.invoke === undefined) throw new WichainError('INTERNAL', `${NAME}: runs only on version 2 chains`)
  const created = context.invoke(ACCOUNTS_CONTRACT_NAME, 'create', {org: id, name: admin.name ?? `${id}-admin`, publicKey: key.publicKey, roles: ['orgadmin']}) as {account: unknown}
  return {org: record, admin: created.account}
}

function remove(state: ContractState, rawArgs: unknown, context: CallContext) {
  const args = argsObject(NAME, rawArgs ?? {}, ['id'])
  const org = requireOrg(context, readOrgId(NAME, args.id, 'id'))
  if (org.status === 'removed') throw new WichainError('ALREADY_EXISTS', `${NAME}: organisation "${org.id}" is already removed`)
  if (consortiumOf(context).activeOrgs().length <= 1) throw new WichainError('INVALID_ARGUMENT', `${NAME}: cannot remove the last active organisation`)
  const record: OrgRecord = {...org, status: 'removed', height: context.height, txHash: context.txHash}
  writeOrg(state, record)
  return {org: record}
}

function update(state: ContractState, rawArgs: unknown, context: CallContext) {
  const args = argsObject(NAME, rawArgs ?? {}, ['id', 'name', 'encryptionKey'])
  const org = requireOrg(context, readOrgId(NAME, args.id, 'id'))
  if (org.status !== 'active') throw new WichainError('INVALID_ARGUMENT', `${NAME}: organisation "${org.id}" is removed`)
  const record: OrgRecord = {
    ...org,
    name: args.name === undefined ? org.name : readName(NAME, args.name),
    encryptionKey: args.encryptionKey === undefined ? org.encryptionKey : readPublicKey(NAME, args.encryptionKey, 'encryptionKey').publicKey,
    height: context.height,
    txHash: context.txHash,
  }
  writeOrg(state, record)
  return {org: record}
}

/** The record with the organisation's node keys (the node set in force) and its org admins. */
function describe(context: CallContext, org: OrgRecord) {
  const consortium = consortiumOf(context)
  const members = readMembers(consortium.state(NODES_CONTRACT_NAME), consortium.genesis.validators)
  const nodes = members.filter((member) => member.org === org.id).map((member) => member.publicKey)
  const accounts = listOrgAccounts(consortium, org.id)
  const admins = accounts.filter((account) => account.roles.includes('orgadmin') && account.disabled === undefined).map((account) => account.address)
  return {...org, nodes, admins}
}

function listOrgAccounts(consortium: ReturnType<typeof consortiumOf>, org: string) {
  const created = readList(consortium.state(ACCOUNTS_CONTRACT_NAME), orgAccountsKey(org), CONSORTIUM_LIMITS.accountsPerOrgMax, 40)
  const genesis = consortium.genesis.accounts.filter((account) => account.org === org).map((account) => account.address)
  return [...new Set([...genesis, ...created])].map((address) => consortium.account(address)).filter((account) => account !== undefined)
}

export const orgsContract: SystemContract = {
  name: NAME,
  description: 'consortium members: add, remove (consortium-wide), update (own org); get, list',
  methods: {
    add: {readOnly: false, run: add},
    remove: {readOnly: false, resource: (args) => ({resource: 'orgs.remove', ownerOrg: readOrgId(NAME, argsObject(NAME, args ?? {}).id, 'id')}), run: remove},
    update: {readOnly: false, resource: (args) => ({resource: 'orgs.update', ownerOrg: readOrgId(NAME, argsObject(NAME, args ?? {}).id, 'id')}), run: update},
    get: {readOnly: true, run: (_state, rawArgs, context) => describe(context, requireOrg(context, readOrgId(NAME, argsObject(NAME, rawArgs ?? {}, ['id']).id, 'id')))},
    list: {
      readOnly: true,
      run: (_state, rawArgs, context) => {
        const args = argsObject(NAME, rawArgs ?? {}, ['offset', 'limit'])
        const ids = consortiumOf(context).orgIds()
        const offset = readCount(NAME, args.offset, 'offset', 0, Number.MAX_SAFE_INTEGER)
        const limit = readCount(NAME, args.limit, 'limit', CONSORTIUM_LIMITS.pageMax, CONSORTIUM_LIMITS.pageMax)
        return {total: ids.length, offset, orgs: ids.slice(offset, offset + limit).map((id) => describe(context, requireOrg(context, id)))}
      },
    },
  },
}
