"""Lock files read as data: poetry.lock and Poetry's content-hash."""
