export { resolveConfig, parseSettings, DEFAULTS, type ConfigInput, type MoltConfig } from './config.js';
export { parseDatabaseUrl, redactUrl, type DatabaseUrl } from './url.js';
export { parseDuration } from './duration.js';
