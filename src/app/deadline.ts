// One implementation for every layer: domain/deadline.ts (sandbox/ and engine/ import it there).
export { withDeadline } from '../domain/deadline.js';
