// The floor of a pull: fetch the given URLs one after another (the same pages, in the same
// order, the connector requested), parse each JSON body, keep nothing. Prints the item count.
// Usage: node fetch-floor.mjs <file with one URL per line>   (token in $FLOOR_TOKEN)
import {readFileSync} from 'node:fs';

const urls = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
const headers = {authorization: `Bearer ${process.env.FLOOR_TOKEN}`, accept: 'application/vnd.github+json'};
let items = 0;
for (const url of urls) {
  const response = await fetch(url, {headers});
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const page = JSON.parse(await response.text());
  items += Array.isArray(page) ? page.length : 0;
}
process.stdout.write(`${items}\n`);
