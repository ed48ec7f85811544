"""Near-duplicate text detection (MinHash over character n-grams, LSH buckets kept in the
database so new texts are checked incrementally): finds minutes copied between branches."""
