// The floor of a push: send the given requests one after another (the same methods, paths and
// bodies the push sent, in the same order) to a fresh server, read each answer, keep nothing.
// Usage: node request-floor.mjs <file with {base, requests: [{method, path, body}]}>   (token in $FLOOR_TOKEN)
import {readFileSync} from 'node:fs';

const {base, requests} = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const headers = {
  authorization: `Bearer ${process.env.FLOOR_TOKEN}`,
  accept: 'application/vnd.github+json',
  'content-type': 'application/json',
};
let sent = 0;
for (const {method, path, body} of requests) {
  const init = {method, headers};
  if (body !== null && method !== 'GET') init.body = JSON.stringify(body);
  const response = await fetch(`${base}${path}`, init);
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
  const text = await response.text();
  if (text !== '') JSON.parse(text);
  sent += 1;
}
process.stdout.write(`${sent}\n`);
