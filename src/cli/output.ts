/**
 * Standard output may be closed by its reader (`runloom runs list | head -1`). Writing then
 * fails with EPIPE, which Node raises as an unhandled 'error' event and a stack trace. The
 * command ends quietly instead: nothing more is written, and a run this process drives is
 * driven on until it settles, as if the output were still read.
 */
let closed = false;

/** Call once at start-up, before anything is written. */
export function watchStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
}

/** Whether the reader of stdout has gone (commands that only print can stop early). */
export const stdoutClosed = (): boolean => closed;
