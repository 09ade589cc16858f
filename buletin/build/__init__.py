"""What builds share: the store of what was made and what it read, workers, progress."""
