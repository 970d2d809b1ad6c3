"""What every page shares: the visitor's model and its card, storage, the theme, text, charts, inputs."""
