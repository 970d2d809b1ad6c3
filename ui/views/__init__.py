"""The closer looks at one step that Step-Through and Generate both show: the decoding rules side
by side, N draws against theory, the influence of earlier tokens."""
