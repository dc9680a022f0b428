"""Release images: the settings, the rendered Dockerfile, the build context and the docker client."""
