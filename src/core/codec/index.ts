export * from './canonical.js'
export * from './fields.js'
