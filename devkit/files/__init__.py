"""Reading and writing files: TOML with error positions, TOML and YAML output."""
