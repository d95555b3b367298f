// The URL parameters each driver reads, in one place: the drivers refuse any other, and printed URLs show only these.

/** What `pg` reads from a URL's query; anything else it would pass over in silence (a typo could turn TLS off). */
export const POSTGRES_PARAMS = [
  'host',
  'port',
  'user',
  'password',
  'database',
  'db',
  'dbname',
  'sslmode',
  'ssl',
  'sslcert',
  'sslkey',
  'sslrootcert',
  'sslnegotiation',
  'uselibpqcompat',
  'application_name',
  'fallback_application_name',
  'options',
  'connect_timeout',
  'keepalives',
  'keepalives_idle',
  'client_encoding',
  'encoding',
  'statement_timeout',
  'query_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
] as const;

/** What a `mysql://` URL may carry; molt maps them onto mysql2's options. */
export const MYSQL_PARAMS = ['sslmode', 'ssl', 'sslca', 'sslcert', 'sslkey', 'socket', 'connect_timeout'] as const;
