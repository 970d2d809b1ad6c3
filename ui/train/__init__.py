"""Train: a corpus, its suggested settings, training in worker processes, views of the model."""
