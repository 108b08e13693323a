/** Public surface of lib/relations (style.md #14). */
export { Relations, RelationLookupError, parseRelationId } from './relations.ts';
export type { RelationsOptions } from './relations.ts';
export { Relation, OFFER_SIDE_REMOTE_APP } from './relation.ts';
export { Databag, RelationDataError } from './databag.ts';
export { readRules, writeRules, contentRules, describeBag } from './access.ts';
export type { Actor, BagAddress, BagKind, AccessRule } from './access.ts';
export { loadInterface, InterfaceCodec, InterfaceDataError, formatProblem, summarizeProblems, MAX_REPORTED_PROBLEMS, MAX_MESSAGE_CHARS } from './interfaces.ts';
export type { InterfaceName, InterfaceBags, ReadResult, DataProblem } from './interfaces.ts';
