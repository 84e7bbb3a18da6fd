"""hf-daily-papers: Hugging Face Daily Papers → ranked Korean Jekyll post, archived in S3, committed to GitHub."""

__version__ = "1.1.0"  # the one version string (pyproject reads it; the User-Agent sends it)
