/**
 * Test support: points a MongoDB connection string at another database. Connection strings are not WHATWG URLs
 * (a replica-set seed list `host1:27017,host2:27017` makes `new URL()` throw), so this follows the MongoDB
 * connection string format instead: `mongodb[+srv]://[user:pass@]hosts[/[database]][?options]`, in which the
 * user, the password and socket paths are percent-encoded, so the first `/` after the hosts starts the path.
 */

const PREFIX = /^mongodb(?:\+srv)?:\/\//i;

/**
 * `uri` with its database path replaced by `/name` (options and credentials kept as they are).
 * @throws Error when `uri` is not a mongodb:// or mongodb+srv:// string, or `name` is not a plain database name.
 */
export function withDatabaseName(uri: string, name: string): string {
  const prefix = PREFIX.exec(uri)?.[0];
  if (!prefix) throw new Error('not a mongodb:// or mongodb+srv:// connection string');
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const rest = uri.slice(prefix.length);
  const hostsEnd = rest.search(/[/?]/);
  const hosts = hostsEnd === -1 ? rest : rest.slice(0, hostsEnd);
  const tail = hostsEnd === -1 ? '' : rest.slice(hostsEnd);
  const queryStart = tail.indexOf('?');
  const query = queryStart === -1 ? '' : tail.slice(queryStart);
  return `${prefix}${hosts}/${name}${query}`;
}
