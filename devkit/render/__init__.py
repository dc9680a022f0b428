"""Files devkit renders into a project from the stage table: the GitLab CI pipeline."""
