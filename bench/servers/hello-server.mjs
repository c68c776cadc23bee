// The baseline: a bare Apollo Server 5 with a one-field schema, served by @apollo/server's own
// startStandaloneServer. No database, no context, no plugins: the cost of Node + HTTP + Apollo + graphql-js.
// Forked by bench/lib/system.mjs; reports `{ url }` over IPC once it listens, stops on SIGTERM.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// @apollo/server is a dependency of api/, not of the workspace root: load the same copy (its ESM build) the API uses.
const require = createRequire(new URL('../../api/package.json', import.meta.url));
// (Its exports map names neither package.json nor a root path, so find the root from the main entry.)
const main = require.resolve('@apollo/server');
const apolloRoot = main.slice(0, main.lastIndexOf('/dist/'));
const load = (path) => import(pathToFileURL(join(apolloRoot, path)).href);
const { ApolloServer } = await load('dist/esm/index.js');
const { startStandaloneServer } = await load('dist/esm/standalone/index.js');

const server = new ApolloServer({
  typeDefs: 'type Query { hello: String! }',
  resolvers: { Query: { hello: () => 'world' } },
});
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
process.send({ url });
process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
