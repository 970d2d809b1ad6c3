"""Generate: many samples, inside one sample, every rule side by side, the tree, beam search."""
