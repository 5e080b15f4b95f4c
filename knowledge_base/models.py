"""Knowledge base (知识库): models arrive with the issue that builds this mechanism."""
