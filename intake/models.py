"""Intake (信息发现): models arrive with the issue that builds this mechanism."""
