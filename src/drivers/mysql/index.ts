export { createMysqlDriver } from './mysql-driver.js';
export { mysqlCapabilities, mysqlSql } from './mysql-dialect.js';
