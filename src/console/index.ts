// moltkit/console: the operator's web console, mounted by a service or served by `molt console`. Nothing of it loads
// unless it is imported.
export { Console, createConsole, type ConsoleOptions } from './console.js';
