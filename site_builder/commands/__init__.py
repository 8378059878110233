"""What each CLI command does, in terms of the library: the only code that prints."""
