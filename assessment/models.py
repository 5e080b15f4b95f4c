"""Assessment (压力感知): models arrive with the issue that builds this mechanism."""
