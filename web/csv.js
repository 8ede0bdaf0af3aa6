// @ts-check
/**
 * The first rows of a CSV file, read in the browser for the preview (the service keeps no
 * row-level endpoint for it). RFC 4180 quoting; the delimiter is the first of `,`, `;`, tab
 * that the header line contains most often, as the service guesses it.
 *
 * @module
 */

/** Bytes read from the start of the file: plenty for ten rows of any sane CSV. */
const HEAD_BYTES = 256 * 1024;

/**
 * The header and the first `count` rows of `file`.
 *
 * @param {Blob} file
 * @param {number} [count]
 * @returns {Promise<{ header: string[], rows: string[][] }>}
 */
export async function csvHead(file, count = 10) {
  const text = (await file.slice(0, HEAD_BYTES).text()).replace(/^\uFEFF/, "");
  const records = parseCsv(text, count + 1);
  const [header = [], ...rows] = records;
  return { header, rows };
}

/**
 * Parses up to `limit` records of `text`. A record cut off by the end of `text` is dropped
 * unless it is the only one.
 *
 * @param {string} text
 * @param {number} limit
 * @returns {string[][]}
 */
export function parseCsv(text, limit) {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [",", ";", "\t"]
    .map((d) => ({ d, n: firstLine.split(d).length }))
    .sort((a, b) => b.n - a.n)[0]?.d ?? ",";
  /** @type {string[][]} */
  const records = [];
  /** @type {string[]} */
  let record = [];
  let field = "";
  let quoted = false;
  let i = 0;
  for (; i < text.length && records.length < limit; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"' && field === "") {
      quoted = true;
    } else if (ch === delimiter) {
      record.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      if (record.length > 1 || record[0] !== "") records.push(record);
      record = [];
      field = "";
    } else {
      field += ch;
    }
  }
  if (records.length < limit && (field !== "" || record.length > 0) && i >= text.length) {
    record.push(field);
    records.push(record);
  }
  return records;
}
