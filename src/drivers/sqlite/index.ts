export { createSqliteDriver } from './sqlite-driver.js';
export { sqliteCapabilities, sqliteSql } from './sqlite-dialect.js';
