/**
 * `parseArgs` of `node:util` in the web build (tasks/build_web.ts maps the import here): the
 * training configuration module imports it for the command line, which a page does not have.
 *
 * @module
 */

/** Command-line parsing is for the Deno tasks; a page sets its configuration directly. */
export function parseArgs(): never {
  throw new Error(
    "Cannot parse command-line arguments in a browser: pass the training configuration as an object",
  );
}
