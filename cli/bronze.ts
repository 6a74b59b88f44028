/** The `bronze` executable: runs the program on this process's arguments and streams. */
import { runCli } from './program.js';

// The package supports Node 20 (engines); the SDK's notice about its own future releases would
// otherwise print on every command. Setting the variable yourself still decides.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A reader that stops early (`bronze files orders | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  sink: {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTTY: Boolean(process.stderr.isTTY),
  },
  progressStream: process.stderr,
});
