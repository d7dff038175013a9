"""Edit a user's YAML file without reformatting it."""
