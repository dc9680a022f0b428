"""Scores customers for churn from a handful of usage features."""
