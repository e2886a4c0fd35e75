// Follows RELATION's changes with postgres.js, one csv line per change as its epoch commits.
// usage: node subscribe.mjs HOST PORT RELATION [FROM_EPOCH]   (FROM_EPOCH: resume after the last epoch received whole)
import postgres from 'postgres';

const [host, port, relation, fromEpoch] = process.argv.slice(2);
const sql = postgres({ host, port: Number(port), user: 'sluice', database: 'sluice' });
const options = fromEpoch === undefined ? 'snapshot = false' : `from_epoch = ${BigInt(fromEpoch)}`;
const stream = await sql.unsafe(`COPY (SUBSCRIBE TO ${relation} WITH (${options})) TO STDOUT (FORMAT csv)`).readable();
stream.pipe(process.stdout); // each chunk: whole lines "columns...,sluice_epoch,sluice_diff\n"
