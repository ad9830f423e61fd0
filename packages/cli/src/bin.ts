// Placeholder entry: replaced by the command-line implementation.
process.exitCode = 0;
