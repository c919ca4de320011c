import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** A schema file larger than this is refused before it is read (the schema itself may be 32 KiB). */
const MAX_SCHEMA_FILE_BYTES = 1024 * 1024;

/**
 * Reads `schema: ./name.schema.json` relative to the route file that names it, at load time:
 * the release stores the schema inline, so routers never read files. Synchronous: route files are
 * loaded by the CLI, once per command.
 *
 * @example
 * schemaFileReader('/repo/routes/users.yml')('./new-user.schema.json') // the parsed schema
 */
export function schemaFileReader(routeFile: string): (ref: string) => unknown {
  return (ref) => {
    const file = path.resolve(path.dirname(routeFile), ref);
    let text: string;
    try {
      const size = statSync(file).size;
      if (size > MAX_SCHEMA_FILE_BYTES)
        throw new Error(`is ${size} bytes; schema files may be at most ${MAX_SCHEMA_FILE_BYTES}`);
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        throw new Error(`does not exist (looked for ${file}, relative to the route file)`, { cause: err });
      throw err instanceof Error ? err : new Error(String(err));
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new Error(`is not JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
  };
}
