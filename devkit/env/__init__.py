"""The environment: project discovery, lock readers, interpreter, installers, stamp, sync."""
