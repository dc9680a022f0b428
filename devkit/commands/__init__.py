"""One module per subcommand: `add_parser` declares its arguments, `run` returns an exit code."""
