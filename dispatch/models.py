"""Dispatch (信息下达): models arrive with the issue that builds this mechanism."""
