"""kg: a linked-data publisher for archival historical documents."""
__version__ = "0.1.0"
