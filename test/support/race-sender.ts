/**
 * One process of the exactly-once race test: enrols a till, records `count` collections of one
 * voucher, sends them in concurrent batches, then sends every batch again. Prints one JSON line.
 * Usage: node --import tsx test/support/race-sender.ts URL ENROL_CODE TOKEN AMOUNT COUNT BATCH
 */
import { serverConnection, TestTill } from './till.ts';

const [url, code, token, amount, count, batch] = process.argv.slice(2);
const till = await TestTill.enrol(serverConnection(url!), code!);
const records = [];
for (let i = 0; i < Number(count); i++) records.push(await till.record(token!, Number(amount)));
const batches = [];
for (let i = 0; i < records.length; i += Number(batch)) batches.push(records.slice(i, i + Number(batch)));
const first = await Promise.all(batches.map((b) => till.outcomes(b)));
const replay = await Promise.all(batches.map((b) => till.outcomes(b)));
console.log(JSON.stringify({ device: till.id, first: first.flat(), replay: replay.flat() }));
