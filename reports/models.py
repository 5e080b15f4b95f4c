"""Reports (《市民热线反映》): models arrive with the issue that builds this mechanism."""
