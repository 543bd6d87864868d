// The floor of a push that creates issues: send the given POSTs one after another (the same
// URLs and bodies the push sent, in the same order), read each answer, keep nothing.
// Usage: node post-floor.mjs <file with a JSON array of {url, body}>   (token in $FLOOR_TOKEN)
import {readFileSync} from 'node:fs';

const posts = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const headers = {
  authorization: `Bearer ${process.env.FLOOR_TOKEN}`,
  accept: 'application/vnd.github+json',
  'content-type': 'application/json',
};
let created = 0;
for (const {url, body} of posts) {
  const response = await fetch(url, {method: 'POST', headers, body: JSON.stringify(body)});
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  JSON.parse(await response.text());
  created += 1;
}
process.stdout.write(`${created}\n`);
