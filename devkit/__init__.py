"""devkit: one way to work for every service of the organisation."""
