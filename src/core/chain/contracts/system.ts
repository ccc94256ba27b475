/**
 * The one place system contracts are registered: which a chain has follows from its genesis.
 * Every chain: `contracts` (the WASM contract manager, built into the executor), `evidence`,
 * `nodes`. Version 1 chains (before organisations): the `accounts` contract of disable/enable
 * over the genesis accounts. Version 2 chains: `orgs`, the consortium `accounts` contract
 * (create, grant, revoke, disable, enable), `policy`, `params` (chain parameters at run time)
 * and `governance` (proposals and votes).
 */
import type {Genesis} from '../genesis.js'
import {createAccountsContract} from './accounts.js'
import type {SystemContract} from './contract.js'
import {evidenceContract} from './evidence.js'
import {contractManager} from './manager.js'
import {createNodesContract} from './nodes.js'
import {createParamsContract} from './params.js'
import {accountsContract} from '../consortium/accounts-contract.js'
import {orgsContract} from '../consortium/orgs-contract.js'
import {policyContract} from '../consortium/policy-contract.js'
import {createGovernanceContract} from '../governance/contract.js'

export function systemContractsOf(genesis: Genesis): ReadonlyMap<string, SystemContract> {
  const common = [contractManager, evidenceContract, createNodesContract(genesis.validators)]
  if (genesis.version === 1) return byName([...common, createAccountsContract(genesis.accounts)])
  const contracts = new Map<string, SystemContract>()
  // Governance resolves a proposal's action over the same map it lives in.
  for (const contract of [...common, orgsContract, accountsContract, policyContract, createParamsContract(genesis.params), createGovernanceContract((name) => contracts.get(name))]) contracts.set(contract.name, contract)
  return contracts
}

function byName(contracts: readonly SystemContract[]): ReadonlyMap<string, SystemContract> {
  return new Map(contracts.map((contract) => [contract.name, contract]))
}
