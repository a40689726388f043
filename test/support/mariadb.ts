// The throwaway servers live in src/ because `sqlgate rehearse` starts them too.
export { MariaDbServer } from '../../src/db/mariadb-server.js';
