/** Authorisation: roles, policies and their evaluation, the resource catalogue. Pure; no state access. */
export * from './roles.js'
export * from './policy.js'
export * from './resources.js'
export * from './authorize.js'
