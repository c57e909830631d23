"""coopatlas: atlas and tracker of the international partnerships of French local authorities."""

__version__ = "0.1.0"
