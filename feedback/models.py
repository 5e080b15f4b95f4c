"""Feedback (信息上传): models arrive with the issue that builds this mechanism."""
