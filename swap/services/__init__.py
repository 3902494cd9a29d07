"""Use cases of the shared core. Views, admin, commands and tasks call these; they hold the rules."""
