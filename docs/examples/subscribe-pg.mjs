// Follows RELATION's changes with node-postgres (`pg`) and pg-copy-streams, one csv line per change as its epoch commits.
// usage: node subscribe-pg.mjs HOST PORT RELATION [FROM_EPOCH]   (FROM_EPOCH: resume after the last epoch received whole)
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

const [host, port, relation, fromEpoch] = process.argv.slice(2);
const client = new pg.Client({ host, port: Number(port), user: 'sluice', database: 'sluice' });
await client.connect();
const options = fromEpoch === undefined ? 'snapshot = false' : `from_epoch = ${BigInt(fromEpoch)}`;
const stream = client.query(copyTo(`COPY (SUBSCRIBE TO ${relation} WITH (${options})) TO STDOUT (FORMAT csv)`));
stream.pipe(process.stdout); // each chunk: whole lines "columns...,sluice_epoch,sluice_diff\n"
