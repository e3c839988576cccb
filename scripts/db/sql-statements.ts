/**
 * Splits a SQL file into its statements, as Postgres reads them: semicolons inside
 * strings, quoted identifiers, dollar-quoted bodies and comments do not end a
 * statement. Each statement keeps the comments written above it (its documentation).
 */

export interface SqlStatement {
  /** The comments and blank lines between the previous statement and this one. */
  leading: string;
  /** The statement itself, from its first keyword to its semicolon (included). */
  sql: string;
  /** 1-based line of the statement's first keyword in the file. */
  line: number;
}

export function splitSqlStatements(text: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let chunkStart = 0; // where the current statement's leading comments begin
  let sqlStart = -1; // first character of the statement proper, -1 while only comments were seen
  let i = 0;
  const lineAt = (offset: number) => text.slice(0, offset).split("\n").length;
  const startSql = (at: number) => {
    if (sqlStart < 0) sqlStart = at;
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "-" && next === "-") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end + 1;
    } else if (c === "/" && next === "*") {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text[i] === "/" && text[i + 1] === "*") depth++;
        else if (text[i] === "*" && text[i + 1] === "/") depth--;
        else {
          i++;
          continue;
        }
        i += 2;
      }
    } else if (c === "'" || c === '"') {
      startSql(i);
      const escapes = c === "'" && /[eE]/.test(text[i - 1] ?? "") && !/\w/.test(text[i - 2] ?? "");
      i++;
      while (i < text.length) {
        if (escapes && text[i] === "\\") i += 2;
        else if (text[i] === c && text[i + 1] === c) i += 2;
        else if (text[i] === c) break;
        else i++;
      }
      i++;
    } else if (c === "$" && !/\w/.test(text[i - 1] ?? "")) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
      startSql(i);
      if (tag) {
        const end = text.indexOf(tag[0], i + tag[0].length);
        if (end < 0) throw new Error(`unterminated ${tag[0]} quote at line ${lineAt(i)}`);
        i = end + tag[0].length;
      } else i++;
    } else if (c === ";") {
      startSql(i);
      statements.push({
        leading: text.slice(chunkStart, sqlStart),
        sql: text.slice(sqlStart, i + 1),
        line: lineAt(sqlStart),
      });
      i++;
      chunkStart = i;
      sqlStart = -1;
    } else {
      if (!/\s/.test(c)) startSql(i);
      i++;
    }
  }
  if (sqlStart >= 0 && text.slice(sqlStart).trim()) {
    statements.push({
      leading: text.slice(chunkStart, sqlStart),
      sql: text.slice(sqlStart).trimEnd(),
      line: lineAt(sqlStart),
    });
  }
  return statements;
}
