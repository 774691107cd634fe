"""freelance: a freelancer's back office in plain-text YAML books kept in git."""
__version__ = "0.1.0"
