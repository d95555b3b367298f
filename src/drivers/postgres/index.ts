export { createPostgresDriver } from './postgres-driver.js';
export { postgresCapabilities, postgresSql } from './postgres-dialect.js';
