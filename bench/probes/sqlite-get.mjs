// The SQLite side of the reads benchmark: what a CLI backed by an embedded database pays for one
// issue as a child process (Node's start, loading the native module, opening the file, one indexed
// lookup, decoding the row), without any CLI framework. Prints the title.
import Database from 'better-sqlite3';

const [file, identity] = process.argv.slice(2);
const db = new Database(file, {readonly: true, fileMustExist: true});
const row = db.prepare('SELECT base FROM issues WHERE identity = ?').get(identity);
if (!row) {
  process.stderr.write(`no issue ${identity}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.parse(row.base).title}\n`);
db.close();
